#!/usr/bin/env bash
# bench/compare.sh: imgproxy against the nginx image_filter + proxy_cache
# recipe, side by side in the same run, on loopback. See bench/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
IMAGE_FILTER_MODULE=/usr/lib/nginx/modules/ngx_http_image_filter_module.so

usage() {
	cat <<EOF
usage: bench/compare.sh [-c CORPUS_DIR] [-d DURATION] [-s SIZES] [-n ROUNDS] [--quick]
                        [--cold] [--hits] [--disk-hits] [--nginx-only] [--bin PATH]
                        [--hit-image NAME] [--hit-size WxH] [--accept VALUE] [-o RUN_DIR]

  -c DIR          corpus of jpg/png/webp files (default: ../shared/corpus beside the repo)
  -d DURATION     wrk duration per run, e.g. 10s or 1m (default 10s; --quick: 3s)
  -s SIZES        comma-separated WxH list (default 150x150,640x480)
  -n ROUNDS       runs per server per case, alternating servers (default 2; --quick: 1)
  --quick         short smoke run: -d 3s -n 1 unless given explicitly
  --cold          run the cold (uncached) resize section
  --hits          run the cached-hit section (memory cache vs bare Go vs nginx proxy_cache)
  --disk-hits     run the disk-cache hit section (needs imgproxy -cache-dir)
                  With none of --cold/--hits/--disk-hits: --cold then --hits.
  --nginx-only    do not build or run imgproxy (nginx columns only)
  --bin PATH      use this imgproxy binary instead of building ./cmd/imgproxy
  --hit-image N   corpus file for the hit sections (default medium-2560x1600.jpg, else
                  the first JPEG); --hit-size WxH (default: the first of -s)
  --accept VALUE  send "Accept: VALUE" with every request (both servers), e.g. a browser's
                  "image/avif,image/webp,*/*" to measure the negotiated format; nginx ignores it
  -o DIR          run directory for configs, logs and raw wrk output (default: new /tmp dir)
EOF
}

die() { echo "compare.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }
warn() { echo "!! $*" >&2; }

# ---------------------------------------------------------------- arguments

CORPUS="" DURATION="" SIZES="150x150,640x480" ROUNDS="" QUICK=0 NGINX_ONLY=0
BIN="" HIT_IMAGE="" HIT_SIZE="" RUN="" ACCEPT=""
DO_COLD=0 DO_HITS=0 DO_DISK=0
while (($#)); do
	case $1 in
	-c) CORPUS=${2:?-c needs a directory}; shift 2 ;;
	-d) DURATION=${2:?-d needs a duration}; shift 2 ;;
	-s) SIZES=${2:?-s needs sizes}; shift 2 ;;
	-n) ROUNDS=${2:?-n needs a count}; shift 2 ;;
	-o) RUN=${2:?-o needs a directory}; shift 2 ;;
	--quick) QUICK=1; shift ;;
	--cold) DO_COLD=1; shift ;;
	--hits) DO_HITS=1; shift ;;
	--disk-hits) DO_DISK=1; shift ;;
	--nginx-only) NGINX_ONLY=1; shift ;;
	--bin) BIN=${2:?--bin needs a path}; shift 2 ;;
	--hit-image) HIT_IMAGE=${2:?--hit-image needs a file name}; shift 2 ;;
	--hit-size) HIT_SIZE=${2:?--hit-size needs WxH}; shift 2 ;;
	--accept) ACCEPT=${2:?--accept needs a value}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
if ((DO_COLD + DO_HITS + DO_DISK == 0)); then DO_COLD=1 DO_HITS=1; fi
if ((QUICK)); then
	DURATION=${DURATION:-3s} ROUNDS=${ROUNDS:-1}
fi
DURATION=${DURATION:-10s} ROUNDS=${ROUNDS:-2}
[[ $DURATION =~ ^[0-9]+[smh]?$ ]] || die "bad duration: $DURATION"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "bad round count: $ROUNDS"
IFS=', ' read -r -a SIZE_LIST <<<"$SIZES"
((${#SIZE_LIST[@]})) || die "no sizes"
for s in "${SIZE_LIST[@]}"; do [[ $s =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]] || die "bad size: $s"; done
HIT_SIZE=${HIT_SIZE:-${SIZE_LIST[0]}}
[[ $HIT_SIZE =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]] || die "bad hit size: $HIT_SIZE"
if [[ -z $CORPUS && -d $ROOT/../shared/corpus ]]; then CORPUS=$ROOT/../shared/corpus; fi
[[ -n $CORPUS && -d $CORPUS ]] || die "no corpus directory (use -c DIR)"
CORPUS=$(cd "$CORPUS" && pwd)

# ------------------------------------------------------------------ tools

install_missing() {
	local pkgs=()
	command -v nginx >/dev/null || pkgs+=(nginx)
	[[ -f $IMAGE_FILTER_MODULE ]] || pkgs+=(libnginx-mod-http-image-filter)
	command -v wrk >/dev/null || pkgs+=(wrk)
	command -v curl >/dev/null || pkgs+=(curl)
	command -v file >/dev/null || pkgs+=(file)
	command -v pgrep >/dev/null || pkgs+=(procps)
	((${#pkgs[@]})) || return 0
	local asroot=()
	((EUID == 0)) || asroot=(sudo)
	log "installing ${pkgs[*]}"
	"${asroot[@]}" apt-get update -qq
	"${asroot[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >&2
}
install_missing
command -v go >/dev/null || die "go is not on PATH"
CLK_TCK=$(getconf CLK_TCK)

if [[ -z $RUN ]]; then RUN=$(mktemp -d "${TMPDIR:-/tmp}/imgproxy-bench.XXXXXX"); fi
mkdir -p "$RUN"/{logs,wrk,out}
RUN=$(cd "$RUN" && pwd)
# nginx workers drop to "nobody" when started as root: they must reach the run dir.
chmod 755 "$RUN"
log "run directory: $RUN"

OURS=""
if ((NGINX_ONLY)); then
	log "--nginx-only: imgproxy columns stay empty"
elif [[ -n $BIN ]]; then
	[[ -x $BIN ]] || die "--bin $BIN is not executable"
	OURS=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
elif [[ -d $ROOT/cmd/imgproxy ]]; then
	log "building ./cmd/imgproxy"
	(cd "$ROOT" && go build -o "$RUN/imgproxy" ./cmd/imgproxy) || die "go build ./cmd/imgproxy failed (--nginx-only runs without it, --bin uses a prebuilt binary)"
	OURS=$RUN/imgproxy
else
	warn "$ROOT/cmd/imgproxy does not exist yet: running nginx only"
fi
if ((DO_HITS || DO_DISK)); then
	(cd "$ROOT" && go build -o "$RUN/bare" ./bench/bare) || die "go build ./bench/bare failed"
fi
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
if awk -v l="${LOAD_BEFORE%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
	warn "load average is $LOAD_BEFORE on $(nproc) cores: something else is running, numbers will be noisy"
fi
OURS_HELP=""
if [[ -n $OURS ]]; then OURS_HELP=$("$OURS" -h 2>&1 || true); fi

# ------------------------------------------------------------------ ports

declare -A TAKEN=()
port_busy() {
	if command -v ss >/dev/null; then
		[[ -n $(ss -Htln "sport = :$1") ]]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}
# pick_port: a free loopback port in 18100-19899 (18080-18099 are left to
# shared/nginx/ctl.sh), starting at a random point so parallel runs rarely meet.
pick_port() {
	local p=$((18100 + RANDOM % 1800)) i
	for ((i = 0; i < 1800; i++)); do
		if [[ -z ${TAKEN[$p]:-} ]] && ! port_busy "$p"; then
			TAKEN[$p]=1
			echo "$p"
			return
		fi
		p=$((p + 1 > 19899 ? 18100 : p + 1))
	done
	die "no free port in 18100-19899"
}
ORIGIN_PORT=$(pick_port) RESIZER_PORT=$(pick_port) FRONT_PORT=$(pick_port)
OURS_PORT=$(pick_port) BARE_PORT=$(pick_port) BAREH_PORT=$(pick_port)

# -------------------------------------------------------------- processes

declare -A SPID=() # server name -> pid of the process we started
WRK_PID=""         # the wrk run in progress, if any
cleanup() {
	local rc=$? name
	set +e
	trap - EXIT INT TERM
	if [[ -n $WRK_PID ]]; then kill -TERM "$WRK_PID" 2>/dev/null; wait "$WRK_PID" 2>/dev/null; fi
	for name in "${!SPID[@]}"; do stop_server "$name"; done
	if ((rc)); then warn "exit $rc; logs and raw output in $RUN"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stop_server() {
	local name=$1 pid=${SPID[$1]:-} i children
	[[ -n $pid ]] || return 0
	unset "SPID[$name]"
	children=$(pgrep -P "$pid" || true)
	# TERM: a fast stop for nginx (a graceful QUIT would finish abandoned
	# resizes first); imgproxy drains, bounded by the KILL below.
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		warn "$name did not stop within 10s; killing it"
		# shellcheck disable=SC2086 # children is a list of pids
		kill -KILL "$pid" $children 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# wait_ready NAME URL WANT: poll URL until it answers (WANT=any) or answers 200.
wait_ready() {
	local name=$1 url=$2 want=$3 code i
	for ((i = 0; i < 300; i++)); do
		if ! kill -0 "${SPID[$name]}" 2>/dev/null; then
			warn "$name exited while starting; last lines of $RUN/logs/$name.log:"
			tail -n 20 "$RUN/logs/$name.log" >&2 || true
			unset "SPID[$name]"
			return 1
		fi
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url" || true)
		if [[ $want == any && $code != 000 ]] || [[ $code == 200 ]]; then return 0; fi
		sleep 0.1
	done
	warn "$name not ready after 30s ($url)"
	stop_server "$name"
	return 1
}

render() { # render TEMPLATE OUT
	sed -e "s|@RUN@|$RUN|g" -e "s|@CORPUS@|$CORPUS|g" \
		-e "s|@IMAGE_FILTER_MODULE@|$IMAGE_FILTER_MODULE|g" \
		-e "s|@ORIGIN_PORT@|$ORIGIN_PORT|g" -e "s|@RESIZER_PORT@|$RESIZER_PORT|g" \
		-e "s|@FRONT_PORT@|$FRONT_PORT|g" "$1" >"$2"
}
render "$HERE/nginx/common.conf.in" "$RUN/nginx-common.conf"

# start_nginx ROLE PORT: ROLE is origin, resizer or front (bench/nginx/ROLE.conf.in).
start_nginx() {
	local role=$1 port=$2 prefix=$RUN/nginx-$1
	mkdir -p "$prefix/logs" "$prefix/tmp"
	chmod 755 "$prefix"
	render "$HERE/nginx/$role.conf.in" "$prefix/nginx.conf"
	nginx -p "$prefix/" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" -g 'daemon off;' \
		>"$RUN/logs/nginx-$role.log" 2>&1 &
	SPID[nginx-$role]=$!
	wait_ready "nginx-$role" "http://127.0.0.1:$port/" any ||
		{ cat "$prefix/logs/error.log" >&2 2>/dev/null; die "nginx $role did not start"; }
}

# start_ours NAME ARGS...: imgproxy on OURS_PORT; returns 1 if it does not come up.
start_ours() {
	local name=$1
	shift
	"$OURS" -listen "127.0.0.1:$OURS_PORT" -upstream "http://127.0.0.1:$ORIGIN_PORT/" "$@" \
		>"$RUN/logs/$name.log" 2>&1 &
	SPID[$name]=$!
	wait_ready "$name" "http://127.0.0.1:$OURS_PORT/healthz" 200
}

# start_bare NAME FILE [HEADERS]: bench/bare serving FILE (with the header
# lines of the curl -D dump HEADERS, if given) on NAME's port.
start_bare() {
	local name=$1 port
	port=$(port_of "$name")
	"$RUN/bare" -listen "127.0.0.1:$port" -file "$2" ${3:+-headers "$3"} >"$RUN/logs/$name.log" 2>&1 &
	SPID[$name]=$!
	wait_ready "$name" "http://127.0.0.1:$port/" 200
}

# server_pids NAME: the processes whose memory and CPU count for a server:
# for nginx the master and all its children (workers, cache manager/loader).
server_pids() {
	local pid=${SPID[$1]}
	echo "$pid"
	if [[ $1 == nginx-* ]]; then pgrep -P "$pid" || true; fi
}

cpu_ticks() { # utime+stime summed over PIDs, in clock ticks
	local total=0 pid line fields
	for pid; do
		{ read -r line <"/proc/$pid/stat"; } 2>/dev/null || continue
		read -r -a fields <<<"${line##*) }" # fields[0] is state (field 3 of stat)
		total=$((total + fields[11] + fields[12]))
	done
	echo "$total"
}

# settle PIDS: wait (up to 60s) until the processes are idle, so that the
# requests wrk abandoned at the end of a run do not eat into the next run.
settle() {
	local i t0 t1
	t0=$(cpu_ticks "$@")
	for ((i = 0; i < 240; i++)); do
		sleep 0.25
		t1=$(cpu_ticks "$@")
		((t1 - t0 <= 1)) && return 0
		t0=$t1
	done
	warn "servers still busy 60s after a run"
}

reset_hwm() { # start a new VmHWM window (echo 5 > clear_refs, Linux 4.0+)
	local pid
	for pid; do { echo 5 >"/proc/$pid/clear_refs"; } 2>/dev/null || true; done
}

hwm_kb() { # VmHWM summed over PIDs, in kB
	local total=0 pid key val _
	for pid; do
		[[ -r /proc/$pid/status ]] || continue
		while read -r key val _; do
			if [[ $key == VmHWM: ]]; then total=$((total + val)); fi
		done <"/proc/$pid/status"
	done
	echo "$total"
}

# parse_wrk FILE: "rps p99_ms requests non2xx socket_errors" from wrk --latency output.
parse_wrk() {
	awk '
	function ms(v,   n) {
		n = v + 0
		if (v ~ /us$/) return n / 1000
		if (v ~ /ms$/) return n
		if (v ~ /m$/) return n * 60000
		if (v ~ /h$/) return n * 3600000
		if (v ~ /s$/) return n * 1000
		return n
	}
	/ requests in / { reqs = $1 }
	/^Requests\/sec:/ { rps = $2 }
	/^ +99% / { p99 = ms($2) }
	/Non-2xx or 3xx responses:/ { bad = $NF }
	/Socket errors:/ { gsub(",", ""); errs = $4 + $6 + $8 + $10 }
	END {
		if (reqs == 0) p99 = -1
		printf "%.2f %.2f %d %d %d\n", rps, p99, reqs, bad, errs
	}' "$1"
}

RESULTS=$RUN/runs.tsv
printf 'section\tcase\tsize\tserver\tround\trps\tp99_ms\trequests\tnon2xx\tsock_err\tcpu_ms_per_req\tpeak_rss_kb\n' >"$RESULTS"

label_of() { # label_of PROC: the column a server process is reported under
	case $1 in
	nginx-*) echo nginx ;;
	ours-*) echo ours ;;
	*) echo "$1" ;;
	esac
}

port_of() { # port_of PROC
	case $1 in
	nginx-origin) echo "$ORIGIN_PORT" ;;
	nginx-resizer) echo "$RESIZER_PORT" ;;
	nginx-front) echo "$FRONT_PORT" ;;
	ours-*) echo "$OURS_PORT" ;;
	bare) echo "$BARE_PORT" ;;
	bare-hdr) echo "$BAREH_PORT" ;;
	*) die "unknown server $1" ;;
	esac
}

# measure SECTION CASE SIZE PROC ROUND PATH CONNS: one wrk run against a
# server, with its CPU time and peak RSS over the run; appends to runs.tsv.
measure() {
	local section=$1 case=$2 size=$3 proc=$4 round=$5 path=$6 conns=$7
	local server out pids c0 c1 hwm rps p99 reqs bad errs cpu url
	server=$(label_of "$proc")
	url=http://127.0.0.1:$(port_of "$proc")$path
	out=$RUN/wrk/$section-${case//\//_}-$size-$server-r$round.txt
	mapfile -t pids < <(server_pids "$proc")
	reset_hwm "${pids[@]}"
	c0=$(cpu_ticks "${pids[@]}")
	# In the background so that a signal is handled at once, not after wrk ends.
	if [[ $section == cold ]]; then
		# Distinct widths per request (see distinct.lua): each one is a
		# real cold transform on both servers, with no sharing.
		local w=${size%%x*} name=${path#/image/*/}
		wrk -t2 -c"$conns" -d"$DURATION" --latency --timeout 30s ${ACCEPT:+-H "Accept: $ACCEPT"} -s "$HERE/distinct.lua" \
			"http://127.0.0.1:$(port_of "$proc")" -- "$w" "${size#*x}" "/$name" >"$out" 2>&1 &
	else
		wrk -t2 -c"$conns" -d"$DURATION" --latency --timeout 30s ${ACCEPT:+-H "Accept: $ACCEPT"} "$url" >"$out" 2>&1 &
	fi
	WRK_PID=$!
	wait "$WRK_PID" || true
	WRK_PID=""
	c1=$(cpu_ticks "${pids[@]}")
	hwm=$(hwm_kb "${pids[@]}")
	settle "${pids[@]}"
	read -r rps p99 reqs bad errs < <(parse_wrk "$out")
	cpu=$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$reqs" \
		'BEGIN { if (n > 0) printf "%.4f", t * 1000 / hz / n; else print -1 }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$case" "$size" "$server" \
		"$round" "$rps" "$p99" "$reqs" "$bad" "$errs" "$cpu" "$hwm" >>"$RESULTS"
	log "$(printf '%-5s %-34s %-8s %-13s r%s %8s req/s  p99 %8s ms  %s non-2xx  %s errors  cpu %s ms/req  rss %s kB' \
		"$section" "$case" "$size" "$server" "$round" "$rps" "$p99" "$bad" "$errs" "$cpu" "$hwm")"
}

CHECKS=$RUN/checks.tsv
printf 'section\tcase\tsize\tserver\tstatus\tcontent_type\tdims\tbytes\tx_cache\n' >"$CHECKS"

# check SECTION CASE SIZE PROC PATH: one request; records status, type,
# decoded dimensions and size, and returns 1 unless it was 200 with an image.
check() {
	local section=$1 case=$2 size=$3 server url body hdrs status ctype dims="" bytes xcache
	server=$(label_of "$4")
	url=http://127.0.0.1:$(port_of "$4")$5
	body=$RUN/out/$section-${case//\//_}-$size-$server
	hdrs=$body.headers
	status=$(curl -s -m 120 ${ACCEPT:+-H "Accept: $ACCEPT"} -D "$hdrs" -o "$body" -w '%{http_code}' "$url" || echo 000)
	ctype=$(awk -F': *' 'tolower($1) == "content-type" { sub(/\r$/, "", $2); print $2 }' "$hdrs" | tail -n 1)
	xcache=$(awk -F': *' 'tolower($1) == "x-cache-status" { sub(/\r$/, "", $2); print $2 }' "$hdrs" | tail -n 1)
	bytes=$(stat -c %s "$body" 2>/dev/null || echo 0)
	if [[ $status == 200 ]]; then
		if command -v identify >/dev/null; then
			dims=$(identify -format '%m %wx%h' "$body" 2>/dev/null | head -n 1 || true)
		else
			dims=$(file -bL "$body" | grep -oE '[0-9]+ ?x ?[0-9]+' | tail -n 1 | tr -d ' ' || true)
		fi
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$section" "$case" "$size" "$server" "$status" \
		"${ctype:--}" "${dims:-?}" "$bytes" "${xcache:--}" >>"$CHECKS"
	LAST_XCACHE=${xcache:-}
	LAST_BODY=$body
	log "check $server $url -> $status ${ctype:--} ${dims:-?} ${bytes}B${xcache:+ X-Cache-Status: $xcache}"
	[[ $status == 200 && $ctype == image/* ]]
}

# ------------------------------------------------------------ the corpus

IMAGES=()
for f in "$CORPUS"/*; do
	[[ -f $f ]] || continue
	case $(file -bL --mime-type "$f") in
	image/jpeg | image/png | image/webp) IMAGES+=("$(basename "$f")") ;;
	*) log "skipping $(basename "$f"): not a jpg/png/webp" ;;
	esac
done
((${#IMAGES[@]})) || die "no images in $CORPUS"

seconds() { # seconds DURATION: 10s, 2m, 1h or a bare number of seconds
	local n=${1%[smh]}
	case $1 in
	*m) echo $((n * 60)) ;;
	*h) echo $((n * 3600)) ;;
	*) echo "$n" ;;
	esac
}
NSERVERS=1
if [[ -n $OURS ]]; then NSERVERS=2; fi
start_nginx origin "$ORIGIN_PORT"

# ------------------------------------------------------- cold resizing

OURS_BROKEN=0
cold_section() {
	local n=$((${#IMAGES[@]} * ${#SIZE_LIST[@]})) img size r i s url servers order
	log "cold: $n cases x $NSERVERS servers x $ROUNDS rounds x $DURATION (wrk -t2 -c8):" \
		"about $((n * NSERVERS * ROUNDS * $(seconds "$DURATION") / 60 + 1)) min"
	for img in "${IMAGES[@]}"; do
		for size in "${SIZE_LIST[@]}"; do
			url=/image/$size/$img
			# Fresh processes per case, so peak RSS belongs to this image and size.
			start_nginx resizer "$RESIZER_PORT"
			servers=()
			if check cold "$img" "$size" nginx-resizer "$url"; then servers+=(nginx-resizer); fi
			if [[ -n $OURS ]] && ((!OURS_BROKEN)); then
				if start_ours ours-cold -cache-memory 0; then
					if check cold "$img" "$size" ours-cold "$url"; then servers+=(ours-cold); fi
				else
					warn "imgproxy did not start; imgproxy columns stay empty from here on"
					OURS_BROKEN=1
				fi
			fi
			# Alternate, and swap who goes first each round (A B, B A, A B, ...).
			for ((r = 1; r <= ROUNDS; r++)); do
				order=("${servers[@]}")
				if ((r % 2 == 0)); then
					order=()
					for ((i = ${#servers[@]} - 1; i >= 0; i--)); do order+=("${servers[i]}"); done
				fi
				for s in "${order[@]}"; do measure cold "$img" "$size" "$s" "$r" "$url" 8; done
			done
			stop_server nginx-resizer
			stop_server ours-cold
		done
	done
}

# --------------------------------------------------------- cache hits

# hits_section SECTION OURS_ARGS...: imgproxy with a cache, warmed, against
# bare (same body from memory; and the same response, headers included)
# and the warmed nginx proxy_cache front.
hits_section() {
	local section=$1
	shift
	local url=/image/$HIT_SIZE/$HIT_IMAGE servers=() hitfile="" r s i order
	log "$section: $url, wrk -t2 -c64, up to 3 servers x $ROUNDS rounds x $DURATION"
	start_nginx resizer "$RESIZER_PORT"
	rm -rf "$RUN/nginx-front/cache"
	start_nginx front "$FRONT_PORT"
	local c=("$section" "$HIT_IMAGE" "$HIT_SIZE")
	if check "${c[@]}" nginx-front "$url" && check "${c[@]}" nginx-front "$url"; then
		hitfile=$LAST_BODY
		if [[ ${LAST_XCACHE^^} == HIT ]]; then
			servers+=(nginx-front)
		else
			warn "nginx front: second request got X-Cache-Status '$LAST_XCACHE', not HIT; not measured"
		fi
	fi
	if [[ -n $OURS ]] && ((!OURS_BROKEN)) && start_ours "ours-$section" "$@"; then
		if check "${c[@]}" "ours-$section" "$url" && check "${c[@]}" "ours-$section" "$url"; then
			hitfile=$LAST_BODY # bare serves exactly the bytes imgproxy serves
			if [[ ${LAST_XCACHE^^} == HIT ]]; then
				servers+=("ours-$section")
			else
				warn "imgproxy: second request got X-Cache-Status '$LAST_XCACHE', not HIT; not measured"
			fi
		fi
	fi
	if [[ -n $hitfile ]] && start_bare bare "$hitfile"; then
		if check "${c[@]}" bare "$url"; then servers+=(bare); fi
	fi
	# The same response as imgproxy's hit, header lines included: what
	# net/http costs for it, with no lookup.
	if [[ $hitfile == */out/*-ours && -f $hitfile.headers ]] && start_bare bare-hdr "$hitfile" "$hitfile.headers"; then
		if check "${c[@]}" bare-hdr "$url"; then servers+=(bare-hdr); fi
	fi
	for ((r = 1; r <= ROUNDS; r++)); do
		# Rotate which server goes first each round.
		order=()
		for ((i = 0; i < ${#servers[@]}; i++)); do
			order+=("${servers[(i + r - 1) % ${#servers[@]}]}")
		done
		for s in "${order[@]}"; do measure "${c[@]}" "$s" "$r" "$url" 64; done
	done
	stop_server "ours-$section"
	stop_server bare
	stop_server bare-hdr
	stop_server nginx-front
	stop_server nginx-resizer
}

if [[ -z $HIT_IMAGE ]]; then
	for f in medium-2560x1600.jpg "${IMAGES[@]}"; do
		if [[ -f $CORPUS/$f && $f == *.jp*g ]]; then HIT_IMAGE=$f; break; fi
	done
	HIT_IMAGE=${HIT_IMAGE:-${IMAGES[0]}}
fi
[[ -f $CORPUS/$HIT_IMAGE ]] || die "--hit-image $HIT_IMAGE is not in $CORPUS"

if ((DO_COLD)); then cold_section; fi
if ((DO_HITS)); then hits_section hits; fi
if ((DO_DISK)); then
	if [[ -z $OURS ]]; then
		warn "disk-hits: skipped, no imgproxy binary"
	elif ! grep -q -- '-cache-dir' <<<"$OURS_HELP"; then
		warn "disk-hits: skipped, imgproxy -h does not list -cache-dir"
	else
		rm -rf "$RUN/ours-disk-cache"
		mkdir -p "$RUN/ours-disk-cache"
		hits_section disk-hits -cache-dir "$RUN/ours-disk-cache" -cache-memory 0
	fi
fi
stop_server nginx-origin

# -------------------------------------------------------------- report

REPORT=$RUN/report.md
{
	echo "# imgproxy vs nginx image_filter recipe"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r); wrk -t2, $DURATION per run, best of $ROUNDS alternating rounds (highest req/s, with that round's p99 and CPU); peak RSS is the max over rounds."
	echo "imgproxy: ${OURS:-not run}; corpus: $CORPUS"
	echo "Load average before: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg) (client, servers and origin share these cores)."
	awk -F'\t' -f "$HERE/report.awk" "$CHECKS" "$RESULTS"
} >"$REPORT"
cat "$REPORT"
log "report: $REPORT (raw wrk output in $RUN/wrk, per-run numbers in $RESULTS)"
