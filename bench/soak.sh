#!/usr/bin/env bash
# bench/soak.sh: 60 s of mixed traffic (valid thumbnails of every size of
# several samples, bombs, damaged and non-image bodies, bad requests, slow
# clients, slow upstreams) on 32 connections against `go build
# ./cmd/imgproxy` with a memory budget and a disk cache, then a second run
# with faults: the origin killed and restarted, then the disk cache made
# read-only, for a while each. Prints counts by class and status, peak RSS,
# goroutines before and after, and the pass criteria. See bench/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

usage() {
	cat <<EOF
usage: bench/soak.sh [--faults | --no-faults] [-d SECONDS] [-c CONNS] [--bin PATH] [-o RUN_DIR]

  (no flag)    both runs: the plain one, then the one with faults (about 2.5 minutes)
  --faults     only the run with faults
  --no-faults  only the plain run
  -d SECONDS   traffic per run (default 60)
  -c CONNS     connections of the mix (default 32), plus 8 slow clients
  --bin PATH   use this imgproxy binary instead of building ./cmd/imgproxy
  -o DIR       run directory (default: a new /tmp/imgproxy-soak.* directory, kept)

The pictures are our own (internal/hostile, samples/) plus, if present,
../shared/corpus beside the repository (files up to 5 MB). Needs Go, curl
and ss; as root, the disk fault is a read-only remount of a tmpfs cache.
EOF
}

die() { echo "soak.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

PLAIN=1 FAULTS=1 SECONDS_=60 CONNS=32 BIN="" RUN=""
while (($#)); do
	case $1 in
	--faults) PLAIN=0 FAULTS=1; shift ;;
	--no-faults) PLAIN=1 FAULTS=0; shift ;;
	-d) SECONDS_=${2:?-d needs seconds}; shift 2 ;;
	-c) CONNS=${2:?-c needs a count}; shift 2 ;;
	--bin) BIN=${2:?--bin needs a path}; shift 2 ;;
	-o) RUN=${2:?-o needs a directory}; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
[[ $SECONDS_ =~ ^[1-9][0-9]*$ ]] || die "bad -d: $SECONDS_"
[[ $CONNS =~ ^[1-9][0-9]*$ ]] || die "bad -c: $CONNS"
for t in go curl ss; do command -v "$t" >/dev/null || die "needs $t"; done

RUN=${RUN:-$(mktemp -d /tmp/imgproxy-soak.XXXXXX)}
mkdir -p "$RUN"
RUN=$(cd "$RUN" && pwd)
log "run directory $RUN"

PIDS=() MOUNTS=() IMMUTABLE=()
cleanup() {
	local p m
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	stop_origin || true
	for m in "${IMMUTABLE[@]}"; do chattr -R -i "$m" 2>/dev/null || true; done
	for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
}
trap cleanup EXIT

# ------------------------------------------------------------------ build

cd "$ROOT"
if [[ -z $BIN ]]; then
	log "go build ./cmd/imgproxy"
	go build -o "$RUN/imgproxy" ./cmd/imgproxy
	BIN=$RUN/imgproxy
fi
go build -o "$RUN/soak" ./bench/soak
CORPUS=""
[[ -d $ROOT/../shared/corpus ]] && CORPUS=$(cd "$ROOT/../shared/corpus" && pwd)
"$RUN/soak" gen -out "$RUN/files" -samples "$ROOT/samples" ${CORPUS:+-corpus "$CORPUS"}
log "$(find "$RUN/files/valid" -type f | wc -l) valid pictures, $(find "$RUN/files/hostile" -type f | wc -l) hostile bodies"

HELP=$("$BIN" -h 2>&1 || true)
has_flag() { grep -q -- "^  -$1\b" <<<"$HELP"; }

# ------------------------------------------------------------------ ports

port_busy() { [[ -n $(ss -Htln "sport = :$1") ]]; }
pick_port() { # a free loopback port in 19900-20899 (compare.sh uses 18100-19899)
	local p i
	for ((i = 0; i < 200; i++)); do
		p=$((19900 + RANDOM % 1000))
		port_busy "$p" || { echo "$p"; return; }
	done
	die "no free port in 19900-20899"
}

wait_ready() { # wait_ready URL: until it answers 200, for 30 s at most
	local i
	for ((i = 0; i < 300; i++)); do
		[[ $(curl -s -o /dev/null -w '%{http_code}' "$1" || true) == 200 ]] && return 0
		sleep 0.1
	done
	die "not ready: $1"
}

# The origin's pid is kept in a file: the fault schedule, a background
# subshell, restarts it.
start_origin() { # start_origin PORT (in a subshell: no job notice when it is killed)
	("$RUN/soak" origin -dir "$RUN/files" -listen "127.0.0.1:$1" >>"$RUN/origin.log" 2>&1 &
		echo $! >"$RUN/origin.pid")
	wait_ready "http://127.0.0.1:$1/valid/drawn-800x600.jpg"
}
stop_origin() { # stop_origin [SIGNAL]
	[[ -f $RUN/origin.pid ]] && kill "-${1:-TERM}" "$(cat "$RUN/origin.pid")" 2>/dev/null
	rm -f "$RUN/origin.pid"
}

# --------------------------------------------------------- disk cache fault

# The disk fault must hold against root, who ignores file modes: as root a
# tmpfs is mounted at the cache directory and remounted read-only (EROFS,
# as a failing disk); where mounting is not allowed, chattr +i (EPERM);
# otherwise chmod a-w.
RO_METHOD=""
make_cache_dir() { # make_cache_dir DIR
	mkdir -p "$1"
	if ((EUID == 0)) && mount -t tmpfs -o size=700m tmpfs "$1" 2>/dev/null; then
		MOUNTS+=("$1") RO_METHOD=remount
	elif ((EUID == 0)) && chattr +i "$1" 2>/dev/null && chattr -i "$1"; then
		IMMUTABLE+=("$1") RO_METHOD=chattr
	else
		RO_METHOD=chmod
	fi
}
cache_readonly() { # cache_readonly DIR on|off
	local i
	case $RO_METHOD:$2 in
	remount:on) # refused (EBUSY) while a file is open for writing: retry
		for ((i = 0; i < 100; i++)); do mount -o remount,ro "$1" 2>/dev/null && return; sleep 0.05; done
		die "could not remount $1 read-only" ;;
	remount:off) mount -o remount,rw "$1" ;;
	chattr:on) chattr -R +i "$1" ;;
	chattr:off) chattr -R -i "$1" ;;
	chmod:on) chmod -R a-w "$1" ;;
	chmod:off) chmod -R u+w "$1" ;;
	esac
}

# ------------------------------------------------------------------- a run

# faults FAULTFILE CACHEDIR ORIGINPORT: the schedule of the fault run, in
# the background: the fault file is written before a fault begins and
# removed after it ends, so that the driver files requests made around it
# as made during it.
faults() {
	local ff=$1 cache=$2 oport=$3 t1=$((SECONDS_ / 5)) t2=$((SECONDS_ * 9 / 20)) t3=$((SECONDS_ * 11 / 20)) t4=$((SECONDS_ * 4 / 5))
	sleep "$t1"
	echo origin >"$ff"; sleep 0.5
	stop_origin KILL; echo "$(date +%T) origin killed" >>"$RUN/faults.log"
	sleep $((t2 - t1))
	start_origin "$oport"; echo "$(date +%T) origin restarted" >>"$RUN/faults.log"
	sleep 1; rm -f "$ff"
	sleep $((t3 - t2))
	echo disk >"$ff"; sleep 0.5
	cache_readonly "$cache" on; echo "$(date +%T) cache read-only ($RO_METHOD)" >>"$RUN/faults.log"
	sleep $((t4 - t3))
	cache_readonly "$cache" off; echo "$(date +%T) cache writable" >>"$RUN/faults.log"
	sleep 1; rm -f "$ff"
}

run() { # run plain|faults
	local mode=$1 port oport cache ff="" spid rc=0 fpid=""
	oport=$(pick_port) port=$(pick_port)
	while [[ $port == "$oport" ]]; do port=$(pick_port); done
	cache=$RUN/cache-$mode
	make_cache_dir "$cache"
	start_origin "$oport"
	local flags=(-listen "127.0.0.1:$port" -upstream "http://127.0.0.1:$oport/" -cache-dir "$cache"
		-cache-max-size 512M -cache-memory 128M -log-level warn)
	has_flag memory-budget && flags+=(-memory-budget 256M)
	# 30 s: long enough for a request that waited its turn (-max-wait 10 s
	# and a slow origin), short enough that clients that never read are
	# cut within the run (they wait 35 s before reading).
	has_flag write-timeout && flags+=(-write-timeout 30s)
	has_flag read-header-timeout && flags+=(-read-header-timeout 3s)
	has_flag idle-timeout && flags+=(-idle-timeout 15s)
	log "$mode run: imgproxy ${flags[*]}"
	GODEBUG=schedtrace=1000,scheddetail=1 "$BIN" "${flags[@]}" 2>"$RUN/server-$mode.log" &
	spid=$!
	PIDS+=("$spid")
	wait_ready "http://127.0.0.1:$port/image/150x150/valid/drawn-800x600.jpg"
	if [[ $mode == faults ]]; then
		ff=$RUN/fault
		rm -f "$ff"
		log "faults: origin killed at $((SECONDS_ / 5))s, restarted at $((SECONDS_ * 9 / 20))s;" \
			"disk cache read-only ($RO_METHOD) from $((SECONDS_ * 11 / 20))s to $((SECONDS_ * 4 / 5))s"
		faults "$ff" "$cache" "$oport" &
		fpid=$!
	fi
	echo "---------------------------------------------------------------- $mode run"
	"$RUN/soak" drive -target "http://127.0.0.1:$port" -dir "$RUN/files" -c "$CONNS" -d "${SECONDS_}s" -hold 35s \
		-pid "$spid" -sched-log "$RUN/server-$mode.log" ${ff:+-fault-file "$ff"} | tee "$RUN/drive-$mode.txt" || rc=1
	[[ -n $fpid ]] && wait "$fpid"
	kill -0 "$spid" 2>/dev/null || { echo "FAIL  the server died"; rc=1; }
	kill -TERM "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	stop_origin || true
	"$RUN/soak" verify -cache "$cache" | tee -a "$RUN/drive-$mode.txt" || rc=1
	[[ -f $RUN/faults.log ]] && sed 's/^/  fault: /' "$RUN/faults.log" && rm "$RUN/faults.log"
	return $rc
}

status=0
((PLAIN)) && { run plain || status=1; }
((FAULTS)) && { run faults || status=1; }
echo "----------------------------------------------------------------"
((status == 0)) && echo "soak: every criterion passed (logs in $RUN)" || echo "soak: FAILED (logs in $RUN)"
exit $status
