package main

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

func init() {
	pkiRecipes["badfiles"] = recipeBadFiles
	pkiRecipes["inspect-certs"] = recipeInspectCerts
}

// recipeBadFiles writes inputs no reader accepts:
//
//	random.bin    4 KiB of fixed pseudo-random bytes
//	trailing.der  a DER certificate followed by two stray bytes
//	big.pem       a 50 MiB file (sparse: it takes no disk space)
func recipeBadFiles(dir string, _ []string) error {
	random := make([]byte, 4096)
	rng := rand.NewChaCha8([32]byte{'c', 'h', 'a', 'i', 'n'})
	_, _ = rng.Read(random)
	random[0] = 0x8f // never a DER SEQUENCE
	leaf := testpki.NewRoot("Bad Files Root").NewLeaf("bad.test")
	if err := writePKIFiles(dir, map[string][]byte{
		"random.bin":   random,
		"trailing.der": append(slices.Clip(leaf.DER()), 0xde, 0xad),
	}); err != nil {
		return err
	}
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		return err
	}
	return os.Truncate(big, 50<<20)
}

// recipeInspectCerts writes certificates whose summaries differ:
//
//	expired.pem   a leaf that expired 10 days ago
//	future.pem    a leaf valid from 30 days on
//	rsa.pem rsa.key          an RSA 2048 leaf and its key
//	ed25519.pem ed25519.key  an Ed25519 leaf and its key
//	nosan.pem     a leaf without subject alternative names or EKU
//	other.key     a key that belongs to no certificate
func recipeInspectCerts(dir string, _ []string) error {
	now := testpki.Now
	root := testpki.NewRoot("Inspect Root")
	expired := root.NewLeaf("expired.test", testpki.Validity(now.AddDate(0, 0, -100), now.AddDate(0, 0, -10)))
	future := root.NewLeaf("future.test", testpki.NotYetValid())
	rsaLeaf := root.NewLeaf("rsa.test", testpki.Key(testpki.RSA2048))
	edLeaf := root.NewLeaf("ed.test", testpki.Key(testpki.Ed25519))
	noSAN := root.NewLeaf("nosan.test", testpki.DNS(), testpki.EKU())
	other := &testpki.Cert{Key: testpki.NewKey(testpki.ECDSAP256)}
	return writePKIFiles(dir, map[string][]byte{
		"root.pem":    root.PEM(),
		"expired.pem": expired.PEM(),
		"future.pem":  future.PEM(),
		"rsa.pem":     rsaLeaf.PEM(),
		"rsa.key":     rsaLeaf.KeyPEM(),
		"ed25519.pem": edLeaf.PEM(),
		"ed25519.key": edLeaf.KeyPEM(),
		"nosan.pem":   noSAN.PEM(),
		"other.key":   other.KeyPEM(),
	})
}

// TestInspectServer inspects a live loopback server: the chain it sends,
// what was negotiated, and the SNI name chosen by --servername.
func TestInspectServer(t *testing.T) {
	root := testpki.NewRoot("Live Root")
	inter := root.NewIntermediate("Live Intermediate")
	leaf := inter.NewLeaf("live.test", testpki.IP("127.0.0.1"))
	srv := startTLSServer(t, []*testpki.Cert{leaf, inter})

	code, stdout, stderr := runMain(t, "inspect", srv.addr)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	for _, want := range []string{
		srv.addr + ": TLS server, 2 certificates, TLS 1.3, TLS_",
		"#1 live.test\n", "#2 Live Intermediate\n",
		"links: CN=live.test -> CN=Live Intermediate\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if sni := srv.lastSNI(); sni != "" {
		t.Errorf("SNI %q sent to an IP address, want none", sni)
	}

	code, stdout, _ = runMain(t, "inspect", srv.addr, "--servername", "www.live.test", "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d", code)
	}
	if sni := srv.lastSNI(); sni != "www.live.test" {
		t.Errorf("SNI %q, want www.live.test", sni)
	}
	var doc struct {
		Inputs []struct {
			Format string `json:"format"`
			Server struct {
				Address    string `json:"address"`
				ServerName string `json:"server_name"`
				TLSVersion string `json:"tls_version"`
			} `json:"server"`
			Certificates []struct {
				Name string `json:"name"`
			} `json:"certificates"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, stdout)
	}
	in := doc.Inputs[0]
	if in.Format != "tls" || in.Server.Address != srv.addr || in.Server.ServerName != "www.live.test" ||
		in.Server.TLSVersion != "TLS 1.3" || len(in.Certificates) != 2 || in.Certificates[0].Name != "live.test" {
		t.Errorf("JSON: %+v", in)
	}
}

// TestInspectServerUnreachable: a closed port is an input error (exit 2)
// on one line and a hint, quickly.
func TestInspectServerUnreachable(t *testing.T) {
	addr := closedPort(t)
	code, stdout, stderr := runMain(t, "inspect", addr)
	if code != 2 || stdout != "" || !strings.HasPrefix(stderr, "chaintool: error: "+addr+": cannot connect") ||
		strings.Count(stderr, "\n") != 2 || !strings.Contains(stderr, "\nchaintool: hint: ") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestInspectJSONShape pins the keys of the JSON document around the
// certificate summaries (whose own keys bundle's tests pin).
func TestInspectJSONShape(t *testing.T) {
	dir := t.TempDir()
	if err := recipeChain(dir, nil); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runMain(t, "inspect", "--json", filepath.Join(dir, "server.pem"), filepath.Join(dir, "root.pem"))
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	assertKeys(t, "document", doc, "at", "inputs", "links")
	var inputs []map[string]json.RawMessage
	if err := json.Unmarshal(doc["inputs"], &inputs); err != nil || len(inputs) != 2 {
		t.Fatalf("inputs: %v (%d)", err, len(inputs))
	}
	assertKeys(t, "input", inputs[0], "name", "format", "certificates", "keys", "skipped", "links")
	var keys []map[string]json.RawMessage
	if err := json.Unmarshal(inputs[0]["keys"], &keys); err != nil || len(keys) != 1 {
		t.Fatalf("keys: %v", err)
	}
	assertKeys(t, "key", keys[0], "type", "bits", "curve", "matches")
	if got := compactJSON(t, keys[0]["matches"]); got != `[{"input":0,"index":0}]` {
		t.Errorf("matches %s", got)
	}
	if got := compactJSON(t, doc["links"]); !strings.Contains(got, `"linked":true,"line":"CN=localhost -> CN=Test Intermediate -> CN=Test Root"`) {
		t.Errorf("links of all inputs %s, want linked", got)
	}
}

func compactJSON(t *testing.T, raw json.RawMessage) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func assertKeys(t *testing.T, what string, m map[string]json.RawMessage, keys ...string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(keys)
	if !slices.Equal(got, keys) {
		t.Errorf("%s keys %q, want %q", what, got, keys)
	}
}

// TestConvertFileModes: files holding a private key are created 0600,
// others as any new file is (0666 less the umask), and a failed run
// leaves no file.
func TestConvertFileModes(t *testing.T) {
	dir := t.TempDir()
	if err := recipeChain(dir, nil); err != nil {
		t.Fatal(err)
	}
	in := func(n string) string { return filepath.Join(dir, n) }
	public := newFileMode(t, dir)
	tests := []struct {
		args []string
		out  string
		mode os.FileMode
	}{
		{[]string{"convert", in("leaf.pem"), in("leaf.key"), "--to", "pem"}, "with-key.pem", 0o600},
		{[]string{"convert", in("leaf.pem"), in("leaf.key"), "--to", "pem", "--no-keys"}, "no-key.pem", public},
		{[]string{"convert", in("chain.pem"), "--to", "der", "--index", "2"}, "inter.der", public},
		{[]string{"convert", in("leaf.key"), "--to", "der"}, "key.der", 0o600},
		{[]string{"convert", in("inter.pem"), in("root.pem"), "--to", "pfx"}, "store.pfx", public},
		{[]string{"convert", in("server.pem"), "--to", "pfx"}, "server.pfx", 0o600},
	}
	t.Setenv(outPasswordEnv, "out")
	for _, tt := range tests {
		out := filepath.Join(dir, tt.out)
		code, stdout, stderr := runMain(t, append(tt.args, "-o", out)...)
		if code != 0 || stdout != "" || stderr != "" {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q", tt.args, code, stdout, stderr)
		}
		st, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != tt.mode {
			t.Errorf("%s: mode %o, want %o", tt.out, st.Mode().Perm(), tt.mode)
		}
	}
	// Nothing left behind: no output and no temporary file.
	code, _, _ := runMain(t, "convert", in("chain.pem"), "--to", "der", "-o", in("fail.der"))
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), "fail") {
			t.Errorf("failed run (exit %d) left %s", code, e.Name())
		}
	}
}

// TestConvertPEMRoundTrip: certificates keep the order given, keys come
// after them, and the result reads back to the same certificates.
func TestConvertPEMRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if err := recipeChain(dir, nil); err != nil {
		t.Fatal(err)
	}
	in := func(n string) string { return filepath.Join(dir, n) }
	code, stdout, stderr := runMain(t, "convert", in("leaf.key"), in("root.pem"), in("leaf.pem"), "--to", "pem", "-o", "-")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var types []string
	var certs []*x509.Certificate
	for rest := []byte(stdout); ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		types = append(types, b.Type)
		if b.Type == "CERTIFICATE" {
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			certs = append(certs, c)
		}
	}
	if strings.Join(types, ",") != "CERTIFICATE,CERTIFICATE,PRIVATE KEY" {
		t.Fatalf("blocks %q", types)
	}
	if certs[0].Subject.CommonName != "Test Root" || certs[1].Subject.CommonName != "localhost" {
		t.Errorf("order %q, %q; want the order given", certs[0].Subject.CommonName, certs[1].Subject.CommonName)
	}
}

// TestInspectRealWorld inspects the fourteen real chains of
// ../shared/realworld: every file reads, roles are right, and leaf,
// intermediates and root link by signature in that order.
func TestInspectRealWorld(t *testing.T) {
	for _, rw := range testpki.LoadRealWorld(t) {
		t.Run(rw.Name, func(t *testing.T) {
			files := []string{rw.File("leaf.pem"), rw.File("intermediates.pem"), rw.File("root.pem")}
			code, stdout, stderr := runMain(t, append([]string{"inspect"}, files...)...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			inters := strings.Count(stdout, "role       intermediate CA")
			if inters < 1 || !strings.Contains(stdout, "role       root CA (self-signed)") {
				t.Errorf("roles wrong:\n%s", stdout)
			}
			if !regexpLinked.MatchString(stdout) {
				t.Errorf("leaf, intermediates and root do not link:\n%s", stdout)
			}
			code, stdout, _ = runMain(t, "inspect", "--text", files[0])
			if code != 0 || !strings.Contains(stdout, "Subject Alternative Name") {
				t.Errorf("--text: exit %d", code)
			}
		})
	}
}

var regexpLinked = regexp.MustCompile(`(?m)^links of all inputs: CN=[^\n]+ -> [^\n]+ -> [^\n]+$`)

// newFileMode is the mode a file created 0666 in dir gets: 0666 less the
// umask this test runs under.
func newFileMode(t *testing.T, dir string) os.FileMode {
	t.Helper()
	name := filepath.Join(dir, "umask-probe")
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	defer os.Remove(name)
	st, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}
