# report.awk: turns compare.sh's checks.tsv and runs.tsv into markdown.
# usage: awk -F'\t' -f report.awk checks.tsv runs.tsv
#
# Per case and server the best round (highest req/s) is reported, with that
# round's p99 and CPU per request; peak RSS is the highest over all rounds.
# Best-of rather than median because on a shared machine noise only ever
# slows a run down.

FNR == 1 { file++; next }

# checks.tsv: section case size server status content_type dims bytes x_cache
file == 1 {
	k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
	status[k] = $5; ctype[k] = $6; dims[k] = $7; bytes[k] = $8; xcache[k] = $9
	c = $1 SUBSEP $2 SUBSEP $3
	if (!(c in seen)) { seen[c] = 1; order[$1, ++ncase[$1]] = $2 SUBSEP $3 }
	next
}

# runs.tsv: section case size server round rps p99_ms requests non2xx sock_err cpu_ms_per_req peak_rss_kb
file == 2 {
	k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4
	if (!(k in rps) || $6 + 0 > rps[k] + 0) {
		rps[k] = $6; p99[k] = $7; reqs[k] = $8; bad[k] = $9; errs[k] = $10; cpu[k] = $11
	}
	if ($12 + 0 > rss[k] + 0) rss[k] = $12
	nrounds[k]++
	next
}

function mb(kb) { return sprintf("%.0f", kb / 1024) }
function num(v) { return v < 0 ? "-" : sprintf("%.2f", v) }
function cpums(v) { return v < 0 ? "-" : v < 1 ? sprintf("%.3f", v) : sprintf("%.2f", v) }
function rate(v) { return v >= 100 ? sprintf("%.0f", v) : sprintf("%.1f", v) }

# ok(k): the best round of k ran cleanly (requests done, no errors, all 2xx).
function ok(k) { return (k in rps) && reqs[k] > 0 && bad[k] == 0 && errs[k] == 0 }

# cell(k): req/s, flagged when not clean, or why there is no number.
function cell(k,   s) {
	if (!(k in rps)) {
		if (k in status) return "HTTP " status[k]
		return "-"
	}
	if (reqs[k] == 0) { flagged = 1; return "0 (none finished)" }
	s = rate(rps[k])
	if (bad[k] > 0) { s = s " (" bad[k] " non-2xx)"; flagged = 1 }
	if (errs[k] > 0) { s = s " (" errs[k] " sock err)"; flagged = 1 }
	return s
}
function col(k, arr) { return (k in rps) ? arr : "-" }

function cold_table(   i, c, split_c, kn, ko, ratio, logsum, nlog, minr, minrow, r) {
	if (!ncase["cold"]) return
	print ""
	print "## Cold resizing (no cache on either side; wrk -t2 -c8)"
	print ""
	print "| image | size | nginx req/s | ours req/s | ours/nginx | p99 ms nginx | p99 ms ours | peak RSS MB nginx | peak RSS MB ours | CPU ms/req nginx | CPU ms/req ours |"
	print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	minr = -1
	for (i = 1; i <= ncase["cold"]; i++) {
		split(order["cold", i], split_c, SUBSEP)
		kn = "cold" SUBSEP split_c[1] SUBSEP split_c[2] SUBSEP "nginx"
		ko = "cold" SUBSEP split_c[1] SUBSEP split_c[2] SUBSEP "ours"
		r = "-"
		if (ok(kn) && ok(ko) && rps[kn] > 0 && rps[ko] > 0) {
			ratio = rps[ko] / rps[kn]
			r = sprintf("%.2f", ratio)
			logsum += log(ratio); nlog++
			if (tolower(split_c[1]) ~ /\.(jpe?g|png)$/ && (minr < 0 || ratio < minr)) {
				minr = ratio; minrow = split_c[1] " " split_c[2]
			}
		}
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", split_c[1], split_c[2],
			cell(kn), cell(ko), r,
			col(kn, num(p99[kn])), col(ko, num(p99[ko])),
			col(kn, mb(rss[kn])), col(ko, mb(rss[ko])),
			col(kn, cpums(cpu[kn])), col(ko, cpums(cpu[ko]))
	}
	print ""
	if (nlog) printf "Geometric mean of ours/nginx over %d rows: **%.2f**\n", nlog, exp(logsum / nlog)
	else print "Geometric mean of ours/nginx: - (no row where both sides ran cleanly)"
	print ""
	if (minr >= 0) printf "Minimum ours/nginx over JPEG/PNG rows: **%.2f** (%s)\n", minr, minrow
	else print "Minimum ours/nginx over JPEG/PNG rows: -"
	print ""
	print "### What each server returned (first request of each case)"
	print ""
	print "| image | size | nginx | ours |"
	print "| --- | --- | --- | --- |"
	for (i = 1; i <= ncase["cold"]; i++) {
		split(order["cold", i], split_c, SUBSEP)
		kn = "cold" SUBSEP split_c[1] SUBSEP split_c[2] SUBSEP "nginx"
		ko = "cold" SUBSEP split_c[1] SUBSEP split_c[2] SUBSEP "ours"
		printf "| %s | %s | %s | %s |\n", split_c[1], split_c[2], returned(kn), returned(ko)
	}
}

function returned(k) {
	if (!(k in status)) return "-"
	if (status[k] != 200) return "HTTP " status[k] " " ctype[k]
	return dims[k] " " bytes[k] " B (" ctype[k] ")"
}

function hits_table(section,   i, split_c, s, k, kb, kh, ko, kn, line, names) {
	if (!ncase[section]) return
	split(order[section, 1], split_c, SUBSEP)
	print ""
	if (section == "hits") print "## Cache hits, memory (wrk -t2 -c64)"
	else print "## Cache hits, disk only (imgproxy -cache-memory 0 -cache-dir; wrk -t2 -c64)"
	print ""
	print "URL /image/" split_c[2] "/" split_c[1] "; every server was warmed and, where it has a cache, confirmed X-Cache-Status: HIT before measuring."
	print "bare Go: a net/http handler writing from memory with no lookup at all, either imgproxy's whole hit response (same header lines and body) or the body alone."
	print ""
	print "| server | req/s | p99 ms | CPU ms/req | peak RSS MB | X-Cache-Status | body |"
	print "| --- | ---: | ---: | ---: | ---: | --- | --- |"
	split("ours bare-hdr bare nginx", names, " ")
	for (i = 1; i <= 4; i++) {
		s = names[i]
		k = section SUBSEP split_c[1] SUBSEP split_c[2] SUBSEP s
		if (s == "bare-hdr" && !(k in status)) continue
		line = s == "nginx" ? "nginx proxy_cache" : s == "bare" ? "bare Go net/http, same body" : s == "bare-hdr" ? "bare Go net/http, same response" : "imgproxy"
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", line, cell(k), col(k, num(p99[k])),
			col(k, cpums(cpu[k])), col(k, mb(rss[k])), (k in xcache) ? xcache[k] : "-", returned(k)
	}
	kh = section SUBSEP split_c[1] SUBSEP split_c[2] SUBSEP "bare-hdr"
	kb = section SUBSEP split_c[1] SUBSEP split_c[2] SUBSEP "bare"
	ko = section SUBSEP split_c[1] SUBSEP split_c[2] SUBSEP "ours"
	kn = section SUBSEP split_c[1] SUBSEP split_c[2] SUBSEP "nginx"
	print ""
	if (ok(ko) && ok(kh)) printf "ours/bare (same response): **%.2f**; ", rps[ko] / rps[kh]
	if (ok(ko) && ok(kb)) printf "ours/bare (same body): **%.2f**", rps[ko] / rps[kb]
	else printf "ours/bare (same body): -"
	if (ok(ko) && ok(kn)) printf "; ours/nginx: **%.2f**\n", rps[ko] / rps[kn]
	else print "; ours/nginx: -"
}

END {
	cold_table()
	hits_table("hits")
	hits_table("disk-hits")
	if (flagged) {
		print ""
		print "Flagged numbers come from runs that were not clean (see the raw wrk output); \"none finished\" means no"
		print "request completed within the run: give it a longer -d."
	}
}
