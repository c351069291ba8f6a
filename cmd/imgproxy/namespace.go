package main

import "flag"

// namespaceConfig is the server's cache namespace setting.
type namespaceConfig struct {
	cacheNamespace string
}

// namespaceFlags declares the flags of the cache keys' namespace.
func (c *namespaceConfig) namespaceFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.cacheNamespace, "cache-namespace", "", "name of this server's pictures in every cache key, memory, disk and cluster (imgproxy.Handler.Namespace); "+
		"empty: derived from -upstream and the output settings. Give nodes with the same pictures at different upstream paths the same one; a new one starts a fresh cache")
}
