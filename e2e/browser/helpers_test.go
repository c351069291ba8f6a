package browser_test

import (
	"bufio"
	"context"
	"fmt"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/imgproxy-go/imgproxy"
)

// root is the repository root, seen from this package's directory.
const root = "../.."

// chromium returns the browser to drive: $CHROMIUM if set, else the first
// of Debian's and Google's names on $PATH. It skips the test when there is
// none.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium binary on $PATH (Debian: apt-get install chromium; .ci/run installs it): the browser tests need one")
	return ""
}

// browser starts a headless Chromium for the test and returns the context
// of its first tab. The flags are those that work as root on a closed
// network: no sandbox, no GPU, no QUIC, nothing fetched in the background,
// a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first Run starts the browser; it lives as long as ctx.
	_, err := chromedp.Run(ctx, chromedp.Navigate("about:blank"))
	require.NoError(t, err, "starting %s", chromium(t))
	return ctx
}

// build compiles the command in pkg (relative to the repository root) into
// the test's temporary directory.
func build(t *testing.T, pkg string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build %s: %s", pkg, out)
	return bin
}

// start runs bin with args and env (added to the test's environment) as a
// real process, waits for the line of its log that addrRE matches, and
// returns the http:// base URL it names. The process is killed when the
// test ends.
func start(t *testing.T, bin string, addrRE *regexp.Regexp, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var (
		mu   sync.Mutex
		logs strings.Builder
	)
	addr := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			logs.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		cmd.Wait()
		if t.Failed() {
			mu.Lock()
			t.Logf("%s logged:\n%s", filepath.Base(bin), logs.String())
			mu.Unlock()
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case <-done:
		t.Fatalf("%s exited before listening", bin)
	case <-time.After(time.Minute):
		t.Fatalf("%s did not listen within a minute", bin)
	}
	return ""
}

// shown is one <img> as the browser loaded it.
type shown struct {
	Src      string `json:"src"` // the src attribute, as the page wrote it
	Complete bool   `json:"complete"`
	W        int    `json:"w"` // naturalWidth: 0 if it did not load
	H        int    `json:"h"`
}

// load opens u in the browser's tab, waits until every <img> is complete
// (loaded or broken), saves a full-page screenshot as name and returns the
// images.
func load(t *testing.T, ctx context.Context, u, name string) []shown {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Navigate(u))
	require.NoError(t, err, u)
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.images.length > 0 && Array.from(document.images).every(i => i.complete)`,
		chromedp.WithPollingTimeout(2*time.Minute)))
	require.NoError(t, err, "%s: waiting for every image to be complete", u)
	imgs, err := chromedp.Run(ctx, chromedp.Evaluate[[]shown](`Array.from(document.images).map(i =>
		({src: i.getAttribute("src"), complete: i.complete, w: i.naturalWidth, h: i.naturalHeight}))`))
	require.NoError(t, err)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	dir := os.Getenv("IMGPROXY_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, png, 0o644))
	abs, _ := filepath.Abs(path)
	t.Logf("screenshot of %s (%d images): %s", u, len(imgs), abs)
	return imgs
}

// upright is each sample's size as a browser shows the original: after
// its EXIF orientation. TestUprightSizes checks it against the files.
var upright = map[string][2]int{
	"landscape.jpg": {2400, 1600},
	"portrait.jpg":  {1200, 1800},
	"sideways.jpg":  {1600, 1200}, // stored 1200x1600 under EXIF orientation 6
	"badge.png":     {800, 800},
	"stripes.gif":   {600, 400},
	"spinner.gif":   {240, 240},
}

// expect returns the size the image at src (a URL path under prefix, with
// an optional query) must have, computed here from the sample's upright
// size and the URL's box: fit inside or cover-and-cut the box without
// enlarging, sides rounded to the nearest pixel, then the rotation.
func expect(t *testing.T, prefix, src string) (name string, w, h int) {
	t.Helper()
	u, err := url.Parse(src)
	require.NoError(t, err, src)
	rest, ok := strings.CutPrefix(u.Path, prefix)
	require.True(t, ok, "%s is not under %s", src, prefix)
	segment, name, _ := strings.Cut(rest, "/")
	o, err := imgproxy.ParseOptions(segment)
	require.NoError(t, err, src)
	size, ok := upright[name]
	require.True(t, ok, "%s: add the upright size of %s to upright", src, name)
	sw, sh := float64(size[0]), float64(size[1])
	bw, bh := float64(o.Width), float64(o.Height)
	scale := 1.0
	switch {
	case o.Fit == imgproxy.FitCrop:
		scale = math.Min(1, math.Max(bw/sw, bh/sh))
	case o.Width > 0 && o.Height > 0:
		scale = math.Min(1, math.Min(bw/sw, bh/sh))
	case o.Width > 0:
		scale = math.Min(1, bw/sw)
	case o.Height > 0:
		scale = math.Min(1, bh/sh)
	}
	w, h = max(1, int(math.Round(sw*scale))), max(1, int(math.Round(sh*scale)))
	if o.Fit == imgproxy.FitCrop {
		w, h = min(w, o.Width), min(h, o.Height)
	}
	if o.Rotate == 90 || o.Rotate == 270 {
		w, h = h, w
	}
	return name, w, h
}

// checkImages asserts that every image loaded at its expected size, and
// returns the sizes by src path (without the query) for spot checks.
func checkImages(t *testing.T, prefix string, imgs []shown) map[string][2]int {
	t.Helper()
	got := map[string][2]int{}
	for _, img := range imgs {
		assert.True(t, img.Complete, img.Src)
		if !assert.Positive(t, img.W, "%s did not load", img.Src) {
			continue
		}
		_, w, h := expect(t, prefix, img.Src)
		assert.Equal(t, fmt.Sprintf("%dx%d", w, h), fmt.Sprintf("%dx%d", img.W, img.H), img.Src)
		path, _, _ := strings.Cut(img.Src, "?")
		got[path] = [2]int{img.W, img.H}
	}
	return got
}

// TestUprightSizes: the table of sizes agrees with the sample files (whose
// headers give the stored size: sideways.jpg's is turned).
func TestUprightSizes(t *testing.T) {
	t.Parallel()
	for name, size := range upright {
		f, err := os.Open(filepath.Join(root, "samples", name))
		require.NoError(t, err)
		cfg, _, err := image.DecodeConfig(f)
		f.Close()
		require.NoError(t, err, name)
		stored := [2]int{cfg.Width, cfg.Height}
		if name == "sideways.jpg" {
			stored[0], stored[1] = stored[1], stored[0]
		}
		assert.Equal(t, size, stored, name)
	}
}
