package deploy

import (
	"bufio"
	"context"
	"debug/elf"
	"image"
	_ "image/jpeg"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildArgs is the Dockerfile's build of the server, without its output
// path; TestStaticBinary checks that the Dockerfile still says so.
var buildArgs = []string{"build", "-tags", "nodynamic", "-trimpath", "-ldflags=-s -w"}

const dockerBuild = "CGO_ENABLED=0 go build -tags nodynamic -trimpath -ldflags='-s -w' -o /out/imgproxy ./cmd/imgproxy"

// staticBinary builds cmd/imgproxy as the Dockerfile does.
func staticBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "imgproxy")
	cmd := exec.Command("go", append(buildArgs, "-o", bin, "./cmd/imgproxy")...)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// TestStaticBinary builds the server with the Dockerfile's command line,
// checks that the result links nothing (no interpreter, no shared library:
// it runs on distroless/static or scratch), then runs it with an empty
// environment from an empty directory and gets a thumbnail of the samples.
func TestStaticBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server")
	}
	if runtime.GOOS != "linux" {
		t.Skip("ELF check on Linux only")
	}
	t.Parallel()
	dockerfile, err := os.ReadFile("Dockerfile")
	require.NoError(t, err)
	require.Contains(t, string(dockerfile), dockerBuild, "the Dockerfile's build command changed: update buildArgs")

	bin := staticBinary(t)
	f, err := elf.Open(bin)
	require.NoError(t, err)
	defer f.Close()
	for _, p := range f.Progs {
		assert.NotEqual(t, elf.PT_INTERP, p.Type, "the binary asks for a dynamic loader")
	}
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	assert.Empty(t, libs, "DT_NEEDED")

	samples, err := filepath.Abs(filepath.Join("..", "..", "samples"))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"IMGPROXY_LISTEN=127.0.0.1:0", "IMGPROXY_UPSTREAM=" + samples}
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	base := "http://" + listenAddr(t, stderr)

	resp, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	resp, err = http.Get(base + "/image/300x200/landscape.jpg")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	cfg, format, err := image.DecodeConfig(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "jpeg", format)
	assert.Equal(t, [2]int{300, 200}, [2]int{cfg.Width, cfg.Height})
}

var listenRE = regexp.MustCompile(`listening"? addr=(\S+)`)

// listenAddr reads the server's log until it says where it listens, then
// drains the rest in the background.
func listenAddr(t *testing.T, stderr io.Reader) string {
	t.Helper()
	sc := bufio.NewScanner(stderr)
	var log []string
	for sc.Scan() {
		log = append(log, sc.Text())
		if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, stderr)
			return m[1]
		}
	}
	t.Fatalf("the server did not start:\n%s", strings.Join(log, "\n"))
	return ""
}

// TestSystemdUnit runs systemd-analyze verify on imgproxy.service, with
// ExecStart pointing at a real binary, and wants no complaint: unknown
// keys and bad values are only warnings there, so any output fails.
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("no systemd-analyze")
	}
	unit, err := os.ReadFile("imgproxy.service")
	require.NoError(t, err)
	self, err := os.Executable() // any executable file will do
	require.NoError(t, err)
	const execStart = "ExecStart=/usr/local/bin/imgproxy "
	require.Contains(t, string(unit), execStart)
	path := filepath.Join(t.TempDir(), "imgproxy.service")
	fixed := strings.Replace(string(unit), execStart, "ExecStart="+self+" ", 1)
	require.NoError(t, os.WriteFile(path, []byte(fixed), 0o644))
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Empty(t, strings.TrimSpace(string(out)))
}
