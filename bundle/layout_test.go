package bundle_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
	"software.sslmate.com/src/go-pkcs12"
)

func tableChain(t *testing.T, withKey bool) *bundle.Chain {
	t.Helper()
	pile := bundle.PileOf("in.pem", leaf.Cert, inter.Cert, root.Cert)
	opts := bundle.BuildOptions{Roots: rootsOf(root), At: testpki.Now}
	c, err := bundle.Build(context.Background(), pile, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if withKey {
		c.Key = leaf.Key
	}
	return c
}

func TestLayout(t *testing.T) {
	tests := []struct {
		target bundle.Target
		opts   bundle.LayoutOptions
		files  map[string]string // name -> the PEM block types, in order (C cert, K key)
	}{
		{bundle.TargetPEM, bundle.LayoutOptions{}, map[string]string{"chain.pem": "CC"}},
		{bundle.TargetPEM, bundle.LayoutOptions{IncludeRoot: true}, map[string]string{"chain.pem": "CCC"}},
		{bundle.TargetPEM, bundle.LayoutOptions{WithKey: true}, map[string]string{"chain.pem": "CCK"}},
		{bundle.TargetNginx, bundle.LayoutOptions{}, map[string]string{"fullchain.pem": "CC", "privkey.pem": "K"}},
		{bundle.TargetApache, bundle.LayoutOptions{}, map[string]string{"cert.pem": "C", "chain.pem": "C", "privkey.pem": "K"}},
		{bundle.TargetApache, bundle.LayoutOptions{IncludeRoot: true}, map[string]string{"cert.pem": "C", "chain.pem": "CC", "privkey.pem": "K"}},
		{bundle.TargetHAProxy, bundle.LayoutOptions{}, map[string]string{"haproxy.pem": "CCK"}},
		{bundle.TargetPython, bundle.LayoutOptions{}, map[string]string{"server.pem": "CCK"}},
	}
	c := tableChain(t, true)
	for _, tc := range tests {
		files, err := bundle.Layout(c, tc.target, tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.target, err)
		}
		if len(files) != len(tc.files) {
			t.Errorf("%s %+v: %d files, want %d", tc.target, tc.opts, len(files), len(tc.files))
		}
		for _, f := range files {
			got := blockTypes(string(f.Data))
			if got != tc.files[f.Name] {
				t.Errorf("%s %+v: %s holds %q, want %q", tc.target, tc.opts, f.Name, got, tc.files[f.Name])
			}
			if f.Secret != strings.Contains(got, "K") {
				t.Errorf("%s: %s secret=%v", tc.target, f.Name, f.Secret)
			}
		}
	}
}

var blockRE = regexp.MustCompile(`-----BEGIN ([A-Z ]+)-----`)

func blockTypes(s string) string {
	var out strings.Builder
	for _, m := range blockRE.FindAllStringSubmatch(s, -1) {
		if m[1] == "CERTIFICATE" {
			out.WriteByte('C')
		} else {
			out.WriteByte('K')
		}
	}
	return out.String()
}

func TestLayoutPFX(t *testing.T) {
	c := tableChain(t, true)
	for _, target := range []bundle.Target{bundle.TargetPFX, bundle.TargetPFXLegacy} {
		files, err := bundle.Layout(c, target, bundle.LayoutOptions{Password: "s3cret", IncludeRoot: true})
		if err != nil {
			t.Fatal(err)
		}
		key, cert, cas, err := pkcs12.DecodeChain(files[0].Data, "s3cret")
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		signer, ok := key.(crypto.Signer)
		if !ok || !cert.Equal(leaf.Cert) || len(cas) != 2 || !bundle.KeyMatches(cert, signer) {
			t.Errorf("%s: leaf %v, %d CAs", target, bundle.Describe(cert), len(cas))
		}
	}
}

func TestLayoutK8s(t *testing.T) {
	c := tableChain(t, true)
	files, err := bundle.Layout(c, bundle.TargetK8s, bundle.LayoutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	y := string(files[0].Data)
	for _, want := range []string{"kind: Secret\n", "type: kubernetes.io/tls\n", "  name: www-example-com-tls\n"} {
		if !strings.Contains(y, want) {
			t.Errorf("secret lacks %q:\n%s", want, y)
		}
	}
	crt := regexp.MustCompile(`tls\.crt: (\S+)`).FindStringSubmatch(y)
	key := regexp.MustCompile(`tls\.key: (\S+)`).FindStringSubmatch(y)
	if crt == nil || key == nil {
		t.Fatalf("no tls.crt or tls.key:\n%s", y)
	}
	crtPEM, _ := base64.StdEncoding.DecodeString(crt[1])
	keyPEM, _ := base64.StdEncoding.DecodeString(key[1])
	if blockTypes(string(crtPEM)) != "CC" || blockTypes(string(keyPEM)) != "K" {
		t.Errorf("tls.crt %q, tls.key %q", blockTypes(string(crtPEM)), blockTypes(string(keyPEM)))
	}
}

func TestLayoutNeedsKey(t *testing.T) {
	c := tableChain(t, false)
	for _, target := range bundle.Targets()[1:] {
		if _, err := bundle.Layout(c, target, bundle.LayoutOptions{}); !errors.Is(err, bundle.ErrKeyRequired) {
			t.Errorf("%s without a key: %v", target, err)
		}
	}
	if _, err := bundle.Layout(c, bundle.TargetPEM, bundle.LayoutOptions{WithKey: true}); !errors.Is(err, bundle.ErrKeyRequired) {
		t.Errorf("--with-key without a key: %v", err)
	}
	if _, err := bundle.ParseTarget("iis"); err == nil || !strings.Contains(err.Error(), "nginx") {
		t.Errorf("unknown target: %v", err)
	}
}

func TestSecretName(t *testing.T) {
	for in, want := range map[string]string{"*.Example.COM": "wildcard-example-com-tls", "a_b..c": "a-b-c-tls", "": "chaintool-tls"} {
		c := &x509.Certificate{}
		if in != "" {
			c.DNSNames = []string{in}
		}
		if got := bundle.SecretName(c); got != want {
			t.Errorf("SecretName(%q) = %q, want %q", in, got, want)
		}
	}
}
