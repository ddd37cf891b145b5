package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chaintool/chaintool/internal/testpki"
)

// peerPKI writes an RSA chain for localhost into a temporary folder and
// returns the folder: root.pem inter.pem leaf.pem leaf.key other.key.
func peerPKI(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := recipeBundle(dir, []string{"rsa2048"}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// chaintool runs the command in-process in dir and fails the test unless
// it exits 0.
func chaintool(t *testing.T, dir string, args ...string) (stdout, stderr string) {
	t.Helper()
	code, stdout, stderr := chaintoolCode(t, dir, args...)
	if code != 0 {
		t.Fatalf("chaintool %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout, stderr
}

func chaintoolCode(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	t.Chdir(dir)
	return runMain(t, args...)
}

// startPeer starts a server process and waits until it accepts TCP
// connections on port; the process is killed when the test ends.
func startPeer(t *testing.T, port int, name string, args ...string) *bytes.Buffer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	cmd := exec.CommandContext(ctx, name, args...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return &logs
		}
	}
	t.Fatalf("%s did not listen on %s: %s", name, addr, logs.String())
	return nil
}

// pythonServer is the seed's server in a few lines: http.server behind an
// ssl context that loads the one PEM with load_cert_chain.
const pythonServer = `
import functools, http.server, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.options |= ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1
ctx.load_cert_chain(sys.argv[1])
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[3])
httpd = http.server.HTTPServer(("127.0.0.1", int(sys.argv[2])), handler)
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
httpd.serve_forever()
`

// TestBundleForPythonServedAndFetched is the seed's workflow end to end:
// bundle a pile for Python, serve it with python3's ssl module, and fetch
// a page with curl trusting only the root.
func TestBundleForPythonServedAndFetched(t *testing.T) {
	python := testpki.NeedTool(t, "python3")
	curl := testpki.NeedTool(t, "curl")
	seed, _ := filepath.Abs("../../bench/seed_server.py") // before chaintool changes the folder
	dir := peerPKI(t)
	chaintool(t, dir, "bundle", "--for", "python", "-o", "server.pem", "root.pem", "leaf.key", "inter.pem", "leaf.pem", "--roots", "root.pem")
	site := filepath.Join(dir, "site")
	if err := os.Mkdir(site, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site, "index.html"), []byte("hello from the bundle\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	servers := map[string]func(port int) []string{
		"inline": func(port int) []string {
			return []string{"-c", pythonServer, filepath.Join(dir, "server.pem"), fmt.Sprint(port), site}
		},
	}
	// The seed's own server, kept in bench/ by the serve work.
	if fileExists(seed) {
		servers["seed"] = func(port int) []string {
			return []string{seed, "--cert", filepath.Join(dir, "server.pem"), "--port", fmt.Sprint(port), "--dir", site}
		}
	}
	for name, args := range servers {
		t.Run(name, func(t *testing.T) {
			port := freePort(t)
			startPeer(t, port, python, args(port)...)
			out, err := exec.Command(curl, "--silent", "--show-error", "--max-time", "10",
				"--cacert", filepath.Join(dir, "root.pem"), fmt.Sprintf("https://localhost:%d/index.html", port)).CombinedOutput()
			if err != nil || string(out) != "hello from the bundle\n" {
				t.Fatalf("curl: %v: %s", err, out)
			}
		})
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestBundleForNginxPassesNginxT checks the nginx shape with nginx -t, and
// that nginx -t does fail when the key is not the certificate's.
func TestBundleForNginxPassesNginxT(t *testing.T) {
	nginx := testpki.NeedTool(t, "nginx")
	dir := peerPKI(t)
	chaintool(t, dir, "bundle", "--for", "nginx", "-o", "tls", "--key", "leaf.key", "leaf.pem", "inter.pem", "--roots", "root.pem")
	if out, err := nginxTest(t, nginx, dir, "tls/fullchain.pem", "tls/privkey.pem"); err != nil {
		t.Fatalf("nginx -t refuses the bundle: %v\n%s", err, out)
	}
	if out, err := nginxTest(t, nginx, dir, "tls/fullchain.pem", "leaf2.key"); err == nil {
		t.Fatalf("nginx -t accepts a key of another certificate, the check proves nothing:\n%s", out)
	}
}

func nginxTest(t *testing.T, nginx, dir, cert, key string) ([]byte, error) {
	t.Helper()
	conf := fmt.Sprintf(`worker_processes 1;
error_log %[1]s/error.log;
pid %[1]s/nginx.pid;
events { worker_connections 16; }
http {
    access_log off;
    client_body_temp_path %[1]s/tmp; proxy_temp_path %[1]s/tmp; fastcgi_temp_path %[1]s/tmp;
    uwsgi_temp_path %[1]s/tmp; scgi_temp_path %[1]s/tmp;
    server {
        listen 127.0.0.1:%[2]d ssl;
        ssl_certificate %[1]s/%[3]s;
        ssl_certificate_key %[1]s/%[4]s;
    }
}
`, dir, freePort(t), cert, key)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return exec.Command(nginx, "-t", "-q", "-p", dir, "-c", path, "-e", filepath.Join(dir, "error.log")).CombinedOutput()
}

// TestBundleForHAProxyServedByOpenSSL serves the HAProxy shape with
// openssl s_server, which takes the key and the chain from the one file
// as HAProxy does, and checks that a client trusting only the root
// accepts what it serves. (s_server sends the -cert certificate and then
// the whole -cert_chain file, so the leaf comes twice; HAProxy sends the
// certificates after the first.)
func TestBundleForHAProxyServedByOpenSSL(t *testing.T) {
	openssl := testpki.NeedTool(t, "openssl")
	dir := peerPKI(t)
	chaintool(t, dir, "bundle", "--for", "haproxy", "-o", "haproxy.pem", "--key", "leaf.key", "leaf.pem", "inter.pem", "--roots", "root.pem")
	pem := filepath.Join(dir, "haproxy.pem")
	port := freePort(t)
	startPeer(t, port, openssl, "s_server", "-accept", fmt.Sprintf("127.0.0.1:%d", port), "-cert", pem, "-key", pem, "-cert_chain", pem, "-www", "-quiet")
	rootPEM, err := os.ReadFile(filepath.Join(dir, "root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(rootPEM)
	d := &tls.Dialer{Config: &tls.Config{RootCAs: roots, ServerName: "localhost"}, NetDialer: &net.Dialer{Timeout: 5 * time.Second}}
	conn, err := d.DialContext(context.Background(), "tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("TLS to openssl s_server serving haproxy.pem: %v", err)
	}
	defer conn.Close()
	got := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(got) != 3 || got[0].Subject.CommonName != "localhost" || got[2].Subject.CommonName != "Bundle Intermediate" {
		t.Errorf("server sent %d certificates, want leaf, leaf (again) and intermediate", len(got))
	}
}

// TestBundleForPFXReadByOpenSSL reads both PFX shapes with openssl pkcs12
// (the legacy one with -legacy) and checks the algorithms.
func TestBundleForPFXReadByOpenSSL(t *testing.T) {
	openssl := testpki.NeedTool(t, "openssl")
	dir := peerPKI(t)
	if err := os.WriteFile(filepath.Join(dir, "pw.txt"), []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for target, check := range map[string]struct {
		flags []string
		mac   string
	}{
		"pfx":        {nil, "MAC: sha256"},
		"pfx-legacy": {[]string{"-legacy"}, "MAC: sha1"},
	} {
		out := target + ".pfx"
		chaintool(t, dir, "bundle", "--for", target, "-o", out, "--out-password-file", "pw.txt", "--include-root",
			"--key", "leaf.key", "leaf.pem", "inter.pem", "root.pem", "--roots", "root.pem")
		args := append([]string{"pkcs12", "-in", filepath.Join(dir, out), "-passin", "pass:s3cret", "-info", "-nodes"}, check.flags...)
		got, err := exec.Command(openssl, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("openssl pkcs12 %s: %v\n%s", target, err, got)
		}
		s := string(got)
		if strings.Count(s, "BEGIN CERTIFICATE") != 3 || strings.Count(s, "BEGIN PRIVATE KEY") != 1 || !strings.Contains(s, check.mac) {
			t.Errorf("%s: openssl found %d certificates, %d keys, %q: %s", target,
				strings.Count(s, "BEGIN CERTIFICATE"), strings.Count(s, "BEGIN PRIVATE KEY"), check.mac, s)
		}
		if st, err := os.Stat(filepath.Join(dir, out)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600 (%v)", out, st.Mode().Perm(), err)
		}
	}
}

// TestBundleFileModes checks that files holding the key are 0600 and the
// others are made as any new file (0666 less the umask).
func TestBundleFileModes(t *testing.T) {
	dir := peerPKI(t)
	chaintool(t, dir, "bundle", "--for", "apache", "-o", "tls", "--key", "leaf.key", "leaf.pem", "inter.pem", "--roots", "root.pem")
	public := newFileMode(t, dir)
	for name, want := range map[string]os.FileMode{"cert.pem": public, "chain.pem": public, "privkey.pem": 0o600} {
		st, err := os.Stat(filepath.Join(dir, "tls", name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != want {
			t.Errorf("%s: mode %v, want %v", name, perm, want)
		}
	}
}
