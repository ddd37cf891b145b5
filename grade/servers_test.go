package grade

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

// testPKI is the set of certificates the real-server tests serve, written
// once per test binary into a shared folder.
type testPKI struct {
	dir   string
	roots *bundle.Roots
	// aia serves the RSA intermediate at the rsa leaf's caIssuers URL.
	aia *http.Server
}

var (
	pkiOnce sync.Once
	pkiData *testPKI
	pkiErr  error
)

// sharedPKI writes, under one temporary folder: rsa (leaf + RSA-2048
// intermediate), ecdsa (P-256 throughout), rsa1024 (an RSA-1024 leaf),
// leafonly (the rsa leaf without its intermediate; the leaf's caIssuers
// AIA URL, on loopback, serves the intermediate), unknownca (a leaf issued
// by a root outside the test roots, with no AIA URL), selfsigned, and
// othername (a leaf for other.example), each as NAME.pem and NAME.key.
func sharedPKI(t *testing.T) *testPKI {
	t.Helper()
	pkiOnce.Do(func() {
		dir, err := os.MkdirTemp("", "chaintool-grade-pki-")
		if err != nil {
			pkiErr = err
			return
		}
		pkiData, pkiErr = writePKI(dir)
	})
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return pkiData
}

func writePKI(dir string) (*testPKI, error) {
	names := []testpki.Option{testpki.DNS("localhost"), testpki.IP("127.0.0.1", "::1")}
	rsaRoot := testpki.NewRoot("Grade Test Root RSA", testpki.Key(testpki.RSA2048))
	rsaInter := rsaRoot.NewIntermediate("Grade Test Intermediate RSA", testpki.Key(testpki.RSA2048))
	ecRoot := testpki.NewRoot("Grade Test Root EC")
	ecInter := ecRoot.NewIntermediate("Grade Test Intermediate EC")
	aia, aiaURL, err := serveAIA(rsaInter)
	if err != nil {
		return nil, err
	}
	rsaLeaf := rsaInter.NewLeaf("localhost", append(names, testpki.Key(testpki.RSA2048), testpki.AIA(aiaURL))...)
	unknownRoot := testpki.NewRoot("Grade Test Unknown Root", testpki.Key(testpki.RSA2048))
	files := map[string][]*testpki.Cert{
		"rsa":        {rsaLeaf, rsaInter},
		"ecdsa":      {ecInter.NewLeaf("localhost", names...), ecInter},
		"rsa1024":    {rsaInter.NewLeaf("localhost", append(names, testpki.Key(testpki.RSA1024))...), rsaInter},
		"leafonly":   {rsaLeaf},
		"unknownca":  {unknownRoot.NewLeaf("localhost", append(names, testpki.Key(testpki.RSA2048))...)},
		"othername":  {rsaInter.NewLeaf("other.example", testpki.Key(testpki.RSA2048)), rsaInter},
		"selfsigned": {selfSigned(names)},
	}
	for name, chain := range files {
		if err := os.WriteFile(filepath.Join(dir, name+".pem"), testpki.ChainPEM(chain...), 0o600); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, name+".key"), chain[0].KeyPEM(), 0o600); err != nil {
			return nil, err
		}
	}
	roots := &bundle.Roots{}
	roots.Add(bundle.Anchor{Cert: rsaRoot.Cert, Source: "test"})
	roots.Add(bundle.Anchor{Cert: ecRoot.Cert, Source: "test"})
	rootsPEM := testpki.ChainPEM(rsaRoot, ecRoot)
	if err := os.WriteFile(filepath.Join(dir, "roots.pem"), rootsPEM, 0o600); err != nil {
		return nil, err
	}
	return &testPKI{dir: dir, roots: roots, aia: aia}, nil
}

// serveAIA serves cert's DER over HTTP on loopback, as a CA's caIssuers
// URL does, for the life of the test binary, and returns that URL.
func serveAIA(cert *testpki.Cert) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/intermediate.der" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/pkix-cert")
			_, _ = w.Write(cert.DER())
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String() + "/intermediate.der", nil
}

// aiaCompleter completes a chain through AIA downloads, with no cache, as
// the CLI's --aia does.
func aiaCompleter(roots *bundle.Roots) func(context.Context, []*x509.Certificate) ([]*x509.Certificate, error) {
	fetcher := &bundle.AIAFetcher{Timeout: 5 * time.Second}
	return func(ctx context.Context, chain []*x509.Certificate) ([]*x509.Certificate, error) {
		got, err := bundle.Complete(ctx, chain, bundle.BuildOptions{Roots: roots, At: testpki.Now, AIA: fetcher})
		if err != nil {
			return nil, err
		}
		return got.Certificates(), nil
	}
}

// selfSigned is a self-signed RSA leaf for localhost: a root used as leaf.
func selfSigned(names []testpki.Option) *testpki.Cert {
	opts := append([]testpki.Option{testpki.Key(testpki.RSA2048), testpki.NotCA()}, names...)
	return testpki.NewRoot("localhost", opts...)
}

// freePorts reserves n loopback ports by listening and closing.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	var lns []net.Listener
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	for _, ln := range lns {
		ln.Close()
	}
	return ports
}

// waitListening polls addr until it accepts connections.
func waitListening(t *testing.T, addr string, logf func() string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never listened; log:\n%s", addr, logf())
}

// nginxSite is one server block of the test nginx.
type nginxSite struct {
	name      string
	cert      string // base name in the PKI folder
	protocols string
	ciphers   string
	hsts      string // header value; empty for none
	extra     string // more directives
	port      int
}

// startNginx runs one nginx with a server block per site, each on its own
// loopback port, under a temporary prefix, stopped at cleanup. OpenSSL's
// security level is lowered for that nginx alone, so that the weak
// configurations the tests need (TLS 1.0, RSA-1024, DH-1024) load at all.
func startNginx(t *testing.T, pki *testPKI, sites []*nginxSite) {
	t.Helper()
	nginx := testpki.NeedTool(t, "nginx")
	dir := t.TempDir()
	for _, d := range []string{"tmp", "logs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	ports := freePorts(t, len(sites))
	var conf strings.Builder
	if os.Geteuid() == 0 {
		// As root nginx would hand its workers to "nobody", who cannot
		// enter the test's temporary folders.
		conf.WriteString("user root;\n")
	}
	fmt.Fprintf(&conf, "worker_processes 1;\nerror_log %s/logs/error.log;\nevents { worker_connections 512; }\nhttp {\n", dir)
	fmt.Fprintf(&conf, "  access_log off;\n")
	for _, p := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&conf, "  %s_temp_path %s/tmp/%s;\n", p, dir, p)
	}
	for i, s := range sites {
		s.port = ports[i]
		conf.WriteString(s.block(pki.dir))
	}
	conf.WriteString("}\n")
	confPath := filepath.Join(dir, "nginx.conf")
	sslConf := filepath.Join(dir, "openssl.cnf")
	write(t, confPath, conf.String())
	write(t, sslConf, "openssl_conf = conf\n[conf]\nssl_conf = ssl\n[ssl]\nsystem_default = sys\n[sys]\nCipherString = DEFAULT:@SECLEVEL=0\n")
	cmd := exec.Command(nginx, "-p", dir, "-c", confPath, "-e", filepath.Join(dir, "logs", "error.log"),
		"-g", "daemon off; pid "+filepath.Join(dir, "nginx.pid")+";")
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+sslConf)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	logf := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "logs", "error.log"))
		return out.String() + string(b)
	}
	for _, s := range sites {
		waitListening(t, s.addr(), logf)
	}
}

func (s *nginxSite) addr() string { return fmt.Sprintf("127.0.0.1:%d", s.port) }

func (s *nginxSite) block(pkiDir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  server {\n    listen 127.0.0.1:%d ssl;\n    server_name localhost;\n", s.port)
	fmt.Fprintf(&b, "    ssl_certificate %s/%s.pem;\n    ssl_certificate_key %s/%s.key;\n", pkiDir, s.cert, pkiDir, s.cert)
	fmt.Fprintf(&b, "    ssl_protocols %s;\n    ssl_ciphers %s;\n    ssl_prefer_server_ciphers on;\n", s.protocols, s.ciphers)
	fmt.Fprintf(&b, "    ssl_ecdh_curve X25519:prime256v1:secp384r1;\n")
	if s.hsts != "" {
		fmt.Fprintf(&b, "    add_header Strict-Transport-Security %q always;\n", s.hsts)
	}
	b.WriteString(s.extra)
	b.WriteString("    location / { return 200 \"ok\\n\"; }\n  }\n")
	return b.String()
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer collects a child's output safely.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startPython runs the seed's Python server (bench/seed_server.py, as
// bench/serve.sh runs it) with the rsa chain and returns its address.
func startPython(t *testing.T, pki *testPKI) string {
	t.Helper()
	python := testpki.NeedTool(t, "python3")
	script, err := filepath.Abs(filepath.Join("..", "bench", "seed_server.py"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	server := filepath.Join(dir, "server.pem")
	chain, _ := os.ReadFile(filepath.Join(pki.dir, "rsa.pem"))
	key, _ := os.ReadFile(filepath.Join(pki.dir, "rsa.key"))
	write(t, server, string(chain)+string(key))
	port := freePorts(t, 1)[0]
	cmd := exec.Command(python, script, "--cert", server, "--port", fmt.Sprint(port), "--dir", dir)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitListening(t, addr, out.String)
	return addr
}

// dhParamPath is the committed 1024-bit DH group (see testdata/README.md).
func dhParamPath() string {
	p, err := filepath.Abs(filepath.Join("testdata", "dh1024.pem"))
	if err != nil {
		panic(err)
	}
	return p
}

// startOpenSSLServer runs `openssl s_server -www` on a free loopback port
// with the PKI's cert (a base name) and the extra arguments, stopped at
// cleanup, and returns its address.
func startOpenSSLServer(t *testing.T, pki *testPKI, cert string, args ...string) string {
	t.Helper()
	openssl := testpki.NeedTool(t, "openssl")
	addr := fmt.Sprintf("127.0.0.1:%d", freePorts(t, 1)[0])
	all := append([]string{"s_server", "-accept", addr, "-www", "-quiet",
		"-cert", filepath.Join(pki.dir, cert+".pem"), "-key", filepath.Join(pki.dir, cert+".key")}, args...)
	cmd := exec.Command(openssl, all...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	waitListening(t, addr, out.String)
	return addr
}
