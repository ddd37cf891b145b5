package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chaintool/chaintool/internal/testpki"
)

// These tests run the real chaintool binary (the copy testscript puts on
// $PATH) as a server and talk to it while it runs: signals, the curl line
// it prints, the redirect, a download during shutdown.

// serveProc is a running `chaintool serve`.
type serveProc struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	more  chan struct{} // signalled on every new stderr line
	done  chan error
}

func startServe(t *testing.T, dir string, args ...string) *serveProc {
	t.Helper()
	bin, err := exec.LookPath("chaintool")
	if err != nil {
		t.Fatalf("chaintool is not on $PATH (testscript puts it there): %v", err)
	}
	p := &serveProc{cmd: exec.Command(bin, append([]string{"serve"}, args...)...), more: make(chan struct{}, 1), done: make(chan error, 1)}
	p.cmd.Dir = dir
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			select {
			case p.more <- struct{}{}:
			default:
			}
		}
		p.done <- p.cmd.Wait()
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("chaintool serve stderr:\n%s", p.stderr())
		}
	})
	return p
}

func (p *serveProc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// waitLine waits for a stderr line matching pattern after the first skip
// lines and returns its submatches and its position.
func (p *serveProc) waitLine(t *testing.T, skip int, pattern string) ([]string, int) {
	t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.After(30 * time.Second)
	for {
		p.mu.Lock()
		for i := skip; i < len(p.lines); i++ {
			if m := re.FindStringSubmatch(p.lines[i]); m != nil {
				p.mu.Unlock()
				return m, i + 1
			}
		}
		p.mu.Unlock()
		select {
		case <-p.more:
		case <-deadline:
			t.Fatalf("no stderr line matches %q", pattern)
		}
	}
}

// stop sends sig and returns the exit code.
func (p *serveProc) stop(t *testing.T, sig os.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30 s after %v", sig)
	}
	return p.cmd.ProcessState.ExitCode()
}

func noRedirects(cfg *tls.Config) *http.Client {
	return &http.Client{
		Transport:     &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true},
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

func fetch(t *testing.T, c *http.Client, url string) *http.Response {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestServeDemo runs the README's first command, then the curl line it
// prints (over TLS 1.2 and 1.3), follows the plain HTTP redirect, reads
// the access log and stops it with SIGTERM: exit 0, demo root removed.
func TestServeDemo(t *testing.T) {
	curl := testpki.NeedTool(t, "curl")
	p := startServe(t, t.TempDir(), "--addr", "127.0.0.1:0", "--redirect-http", "127.0.0.1:0")
	m, _ := p.waitLine(t, 0, `^chaintool: serving (https://127\.0\.0\.1:\d+/) with localhost \(ECDSA P-256, 89 days left\)$`)
	url := m[1]
	m, _ = p.waitLine(t, 0, `^chaintool: try: curl --cacert (\S+) (\S+)$`)
	rootFile := m[1]
	if m[2] != url {
		t.Errorf("curl line URL %s, want %s", m[2], url)
	}
	for _, v := range []string{"1.2", "1.3"} {
		out, err := exec.Command(curl, "-sS", "-D", "-", "-o", "/dev/null", "--tlsv"+v, "--tls-max", v,
			"-w", "%{http_code}", "--cacert", rootFile, url).CombinedOutput()
		if err != nil {
			t.Fatalf("curl TLS %s: %v\n%s", v, err, out)
		}
		if !bytes.Contains(bytes.ToLower(out), []byte("strict-transport-security: max-age=63072000; includesubdomains")) ||
			!bytes.HasSuffix(out, []byte("200")) {
			t.Errorf("curl TLS %s:\n%s", v, out)
		}
	}
	m, _ = p.waitLine(t, 0, `^chaintool: redirecting http://(\S+)/ to https$`)
	resp := fetch(t, noRedirects(nil), "http://"+m[1]+"/some/path?q=1")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != url+"some/path?q=1" ||
		resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("redirect: %d, Location %q, HSTS %q", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Get("Strict-Transport-Security"))
	}
	p.waitLine(t, 0, `"GET / HTTP/(1\.1|2\.0)" 200 \d+ [\d.]+ms TLSv1\.2$`)
	p.waitLine(t, 0, `"GET /some/path\?q=1 HTTP/1\.1" 301 `)

	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	p.waitLine(t, 0, `^chaintool: stopped$`)
	if _, err := os.Stat(rootFile); !os.IsNotExist(err) {
		t.Errorf("demo root %s left behind: %v", rootFile, err)
	}
}

// TestServeReload replaces the bundle file and sends SIGHUP: a connection
// that was open keeps its certificate, new ones get the new one; a broken
// replacement is refused and the previous certificate kept.
func TestServeReload(t *testing.T) {
	dir := t.TempDir()
	chainA, rootA := serveBundle("Root A")
	chainB, rootB := serveBundle("Root B")
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("server.pem", chainA.pem)
	write("roots.pem", append(rootA.PEM(), rootB.PEM()...))
	p := startServe(t, dir, "server.pem", "--roots", "roots.pem", "--addr", "127.0.0.1:0", "--quiet")
	m, next := p.waitLine(t, 0, `^chaintool: serving (\S+) `)
	url := m[1]

	cfg := &tls.Config{RootCAs: testpki.Pool(rootA, rootB)}
	open := noRedirects(cfg)
	if got := fetch(t, open, url).TLS.PeerCertificates[0]; !got.Equal(chainA.leaf) {
		t.Fatal("first connection: not chain A")
	}
	write("server.pem", chainB.pem)
	p.cmd.Process.Signal(syscall.SIGHUP)
	_, next = p.waitLine(t, next, `^chaintool: SIGHUP: reloaded localhost `)
	if got := fetch(t, open, url).TLS.PeerCertificates[0]; !got.Equal(chainA.leaf) {
		t.Error("the connection open before SIGHUP changed certificate")
	}
	if got := fetch(t, noRedirects(cfg), url).TLS.PeerCertificates[0]; !got.Equal(chainB.leaf) {
		t.Error("a new connection after SIGHUP: not chain B")
	}

	write("server.pem", append(chainA.chainPEM, chainB.keyPEM...)) // A's chain, B's key
	p.cmd.Process.Signal(syscall.SIGHUP)
	p.waitLine(t, next, `^chaintool: error: .*\[key-mismatch\]$`)
	p.waitLine(t, next, `^chaintool: error: SIGHUP: refusing to serve a broken bundle .*; still serving the previous certificate$`)
	if got := fetch(t, noRedirects(cfg), url).TLS.PeerCertificates[0]; !got.Equal(chainB.leaf) {
		t.Error("after a refused reload: not chain B")
	}
	if code := p.stop(t, os.Interrupt); code != 0 {
		t.Errorf("exit code %d after SIGINT, want 0", code)
	}
}

// TestServeReloadReopensDir: SIGHUP opens --dir again, so a symbolic link
// switched to a new release is served from then on; a folder that is gone
// is refused and the one opened before kept.
func TestServeReloadReopensDir(t *testing.T) {
	dir := t.TempDir()
	chain, root := serveBundle("Dir Root")
	if err := os.WriteFile(filepath.Join(dir, "server.pem"), chain.pem, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "root.pem"), root.PEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"rel1", "rel2"} {
		if err := os.MkdirAll(filepath.Join(dir, rel), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel, "index.html"), []byte(rel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target string) {
		t.Helper()
		tmp := filepath.Join(dir, "current.tmp")
		if err := os.Symlink(target, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "current")); err != nil {
			t.Fatal(err)
		}
	}
	link("rel1")
	p := startServe(t, dir, "server.pem", "--roots", "root.pem", "--addr", "127.0.0.1:0", "--quiet", "--dir", "current")
	m, next := p.waitLine(t, 0, `^chaintool: serving (\S+) `)
	url := m[1]
	cfg := &tls.Config{RootCAs: testpki.Pool(root)}
	body := func() string {
		t.Helper()
		resp, err := noRedirects(cfg).Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if got := body(); got != "rel1" {
		t.Fatalf("before SIGHUP: %q", got)
	}
	link("rel2")
	p.cmd.Process.Signal(syscall.SIGHUP)
	_, next = p.waitLine(t, next, `^chaintool: SIGHUP: reopened --dir current$`)
	if got := body(); got != "rel2" {
		t.Errorf("after SIGHUP: %q, want rel2", got)
	}
	link("gone")
	p.cmd.Process.Signal(syscall.SIGHUP)
	p.waitLine(t, next, `^chaintool: error: SIGHUP: --dir .*; still serving the folder opened before$`)
	if got := body(); got != "rel2" {
		t.Errorf("after a refused reopen: %q, want rel2", got)
	}
	if code := p.stop(t, os.Interrupt); code != 0 {
		t.Errorf("exit code %d after SIGINT, want 0", code)
	}
}

type servedChain struct {
	leaf                  *x509.Certificate
	pem, chainPEM, keyPEM []byte
}

func serveBundle(rootName string) (servedChain, *testpki.Cert) {
	root := testpki.NewRoot(rootName)
	inter := root.NewIntermediate(rootName + " Intermediate")
	leaf := inter.NewLeaf("localhost", testpki.DNS("localhost"), testpki.IP("127.0.0.1"))
	chain := testpki.ChainPEM(leaf, inter)
	return servedChain{leaf: leaf.Cert, chainPEM: chain, keyPEM: leaf.KeyPEM(), pem: append(chain, leaf.KeyPEM()...)}, root
}

// TestServeDrainsOnSIGTERM starts a large download, sends SIGTERM while
// it runs: the download completes and the exit code is 0.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	os.Mkdir(site, 0o755)
	big := bytes.Repeat([]byte("chaintool "), 2<<20) // 20 MiB
	if err := os.WriteFile(filepath.Join(site, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, dir, "--addr", "127.0.0.1:0", "--dir", "site", "--quiet")
	m, _ := p.waitLine(t, 0, `^chaintool: try: curl --cacert (\S+) (\S+)$`)
	pool := x509.NewCertPool()
	pem, err := os.ReadFile(m[1])
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("demo root %s: %v", m[1], err)
	}
	resp, err := noRedirects(&tls.Config{RootCAs: pool}).Get(m[2] + "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	head := make([]byte, 1000)
	if _, err := io.ReadFull(resp.Body, head); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	p.waitLine(t, 0, `^chaintool: SIGTERM: finishing the requests under way$`)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || len(head)+len(rest) != len(big) {
		t.Errorf("download during shutdown: %d of %d bytes, %v", len(head)+len(rest), len(big), err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("still running after the download finished")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// TestServePrivateRoot serves a bundle that carries its own private root
// and no --roots: serve warns, writes the root to a temporary file, and
// the curl line it prints works as printed; the file goes when it stops.
func TestServePrivateRoot(t *testing.T) {
	curl := testpki.NeedTool(t, "curl")
	dir := t.TempDir()
	if err := recipeServeChains(dir, nil); err != nil {
		t.Fatal(err)
	}
	p := startServe(t, dir, "full.pem", "--addr", "127.0.0.1:0", "--quiet")
	p.waitLine(t, 0, `^chaintool: warning: .*\[untrusted-root\] \(allowed for a test server`)
	m, _ := p.waitLine(t, 0, `^chaintool: the root Serve Root is in no trust store; clients must trust it: a copy is in (\S+)$`)
	rootFile := m[1]
	m, _ = p.waitLine(t, 0, `^chaintool: try: (curl --cacert (\S+) https://127\.0\.0\.1:\d+/)$`)
	if m[2] != rootFile {
		t.Errorf("curl line trusts %s, want %s", m[2], rootFile)
	}
	args := append(strings.Fields(m[1])[1:], "-sS", "-o", "/dev/null", "-w", "%{http_code}")
	if out, err := exec.Command(curl, args...).CombinedOutput(); err != nil || string(out) != "200" {
		t.Errorf("the printed curl line: %v: %s", err, out)
	}
	if code := p.stop(t, syscall.SIGINT); code != 0 {
		t.Errorf("exit code %d after SIGINT, want 0", code)
	}
	if _, err := os.Stat(rootFile); !os.IsNotExist(err) {
		t.Errorf("root copy %s left behind: %v", rootFile, err)
	}
}
