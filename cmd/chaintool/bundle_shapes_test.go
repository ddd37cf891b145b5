package main

import (
	"encoding/base64"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chaintool/chaintool/bundle"
)

// TestBundleForK8sSecretContents decodes the Secret's tls.crt and tls.key
// and checks what a kubelet would load: the leaf then the intermediate,
// and the leaf's own key.
func TestBundleForK8sSecretContents(t *testing.T) {
	dir := t.TempDir()
	if err := recipeBundle(dir, nil); err != nil {
		t.Fatal(err)
	}
	chaintool(t, dir, "bundle", "--for", "k8s", "-o", "secret.yaml", "--key", "leaf.key", "leaf.pem", "inter.pem", "noise.pem", "--roots", "root.pem")
	yaml := read(t, filepath.Join(dir, "secret.yaml"))
	crt := secretField(t, yaml, "tls.crt")
	key := secretField(t, yaml, "tls.key")

	certs, err := bundle.Read(crt, "tls.crt", nil)
	if err != nil {
		t.Fatalf("tls.crt: %v", err)
	}
	want, err := bundle.Read(read(t, filepath.Join(dir, "chain.pem")), "chain.pem", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs.Certs) != 2 || len(certs.Keys) != 0 || !certs.Certs[0].Equal(want.Certs[0]) || !certs.Certs[1].Equal(want.Certs[1]) {
		t.Fatalf("tls.crt holds %d certificates and %d keys, want the leaf then the intermediate:\n%s", len(certs.Certs), len(certs.Keys), crt)
	}
	keys, err := bundle.Read(key, "tls.key", nil)
	if err != nil {
		t.Fatalf("tls.key: %v", err)
	}
	if len(keys.Keys) != 1 || len(keys.Certs) != 0 || !bundle.KeyMatches(certs.Certs[0], keys.Keys[0]) {
		t.Fatalf("tls.key holds %d keys and %d certificates, or its key is not the leaf's", len(keys.Keys), len(keys.Certs))
	}
}

// secretField returns the base64-decoded value of one data key of a
// Secret, which must appear exactly once.
func secretField(t *testing.T, yaml []byte, name string) []byte {
	t.Helper()
	re := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(name) + `: ([A-Za-z0-9+/=]+)$`)
	m := re.FindAllSubmatch(yaml, -1)
	if len(m) != 1 {
		t.Fatalf("%s appears %d times in the Secret:\n%s", name, len(m), yaml)
	}
	data, err := base64.StdEncoding.DecodeString(string(m[0][1]))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return data
}
