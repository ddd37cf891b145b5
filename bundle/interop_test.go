package bundle

import (
	"bytes"
	"crypto/x509"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/internal/testpki"
)

// openssl runs the openssl command in dir and returns its stdout; stderr
// (where `pkcs12 -info` reports algorithms) is returned too.
func openssl(t *testing.T, dir string, args ...string) (stdout, stderr string) {
	t.Helper()
	bin := testpki.NeedTool(t, "openssl")
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, errs.String())
	}
	return out.String(), errs.String()
}

// TestOpenSSLReadsOurPFX: a PFX chaintool writes is read by `openssl
// pkcs12`, modern as it is and legacy with -legacy, with the algorithms
// each profile promises; the key and certificates come out unchanged.
func TestOpenSSLReadsOurPFX(t *testing.T) {
	testpki.NeedTool(t, "openssl")
	root, inter, leaf := readChain(t)
	tests := []struct {
		profile PFXProfile
		flags   []string
		algos   []string
	}{
		{PFXModern, nil, []string{"PBES2, PBKDF2, AES-256-CBC", "MAC: sha256"}},
		{PFXLegacy, []string{"-legacy"}, []string{"pbeWithSHA1And3-KeyTripleDES-CBC", "MAC: sha1"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.profile), func(t *testing.T) {
			dir := t.TempDir()
			pfx, err := EncodePFX(leaf.Key, leaf.Cert, testpki.X509(inter, root), "pass word", tt.profile)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "out.pfx"), pfx, 0o600); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"pkcs12", "-in", "out.pfx", "-passin", "pass:pass word"}, tt.flags...)
			_, info := openssl(t, dir, append(args, "-info", "-noout")...)
			for _, a := range tt.algos {
				if !strings.Contains(info, a) {
					t.Errorf("openssl -info lacks %q:\n%s", a, info)
				}
			}
			out, _ := openssl(t, dir, append(args, "-nodes")...)
			got, err := Read([]byte(out), "openssl output", nil)
			if err != nil {
				t.Fatal(err)
			}
			assertSameCerts(t, got.Certs, testpki.X509(leaf, inter, root))
			if len(got.Keys) != 1 || !KeyMatches(leaf.Cert, got.Keys[0]) {
				t.Errorf("openssl gave back %d keys, not the leaf's", len(got.Keys))
			}
		})
	}
	t.Run("trust store", func(t *testing.T) {
		dir := t.TempDir()
		pfx, err := EncodePFX(nil, nil, testpki.X509(inter, root), "pw", PFXModern)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "store.pfx"), pfx, 0o600); err != nil {
			t.Fatal(err)
		}
		out, _ := openssl(t, dir, "pkcs12", "-in", "store.pfx", "-passin", "pass:pw", "-nokeys")
		got, err := Read([]byte(out), "openssl output", nil)
		if err != nil {
			t.Fatal(err)
		}
		assertSameCerts(t, got.Certs, testpki.X509(inter, root))
	})
}

// TestWeReadOpenSSLOutput: files OpenSSL makes now, from a chain made in
// this test with a password made in this test, are read back: PFX modern,
// legacy RC2 and legacy 3DES, PKCS#7 PEM and DER, encrypted keys.
func TestWeReadOpenSSLOutput(t *testing.T) {
	testpki.NeedTool(t, "openssl")
	root, inter, leaf := readChain(t)
	dir := t.TempDir()
	files := map[string][]byte{
		"leaf.pem": leaf.PEM(), "leaf.key": leaf.KeyPEM(),
		"cas.pem": testpki.ChainPEM(inter, root), "chain.pem": testpki.ChainPEM(leaf, inter),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const pw = "interop-Pässword"
	pass := "pass:" + pw
	export := []string{"pkcs12", "-export", "-inkey", "leaf.key", "-in", "leaf.pem", "-certfile", "cas.pem", "-passout", pass}
	openssl(t, dir, append(export, "-out", "modern.pfx")...)
	openssl(t, dir, append(export, "-legacy", "-out", "rc2.pfx")...)
	openssl(t, dir, append(export, "-legacy", "-descert", "-out", "3des.pfx")...)
	openssl(t, dir, "crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out", "chain.p7b")
	openssl(t, dir, "crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-outform", "DER", "-out", "chain.p7c")
	openssl(t, dir, "pkcs8", "-topk8", "-in", "leaf.key", "-v2", "aes-128-cbc", "-passout", pass, "-out", "pkcs8.key")
	openssl(t, dir, "pkcs8", "-topk8", "-in", "leaf.key", "-v2", "des3", "-passout", pass, "-outform", "DER", "-out", "pkcs8.der")
	openssl(t, dir, "ec", "-in", "leaf.key", "-des3", "-passout", pass, "-out", "legacy.key")

	tests := []struct {
		file  string
		certs []*x509.Certificate
		keys  int
	}{
		{"modern.pfx", testpki.X509(leaf, inter, root), 1},
		{"rc2.pfx", testpki.X509(leaf, inter, root), 1},
		{"3des.pfx", testpki.X509(leaf, inter, root), 1},
		{"chain.p7b", testpki.X509(leaf, inter), 0},
		{"chain.p7c", testpki.X509(leaf, inter), 0},
		{"pkcs8.key", nil, 1},
		{"pkcs8.der", nil, 1},
		{"legacy.key", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			calls := 0
			got, err := ReadFile(filepath.Join(dir, tt.file), countingPassword(pw, &calls))
			if err != nil {
				t.Fatal(err)
			}
			assertSameCerts(t, got.Certs, tt.certs)
			if len(got.Keys) != tt.keys {
				t.Fatalf("%d keys, want %d", len(got.Keys), tt.keys)
			}
			if tt.keys == 1 && !KeyMatches(leaf.Cert, got.Keys[0]) {
				t.Errorf("key is not the leaf's")
			}
		})
	}
}
