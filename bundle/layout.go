package bundle

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Target names the server a chain is written for, which decides the
// files and what goes in each.
type Target string

// The targets Layout knows.
const (
	// TargetPEM is the chain alone in one PEM file (the key too with
	// LayoutOptions.WithKey).
	TargetPEM Target = "pem"
	// TargetNginx is fullchain.pem (leaf and intermediates) and privkey.pem.
	TargetNginx Target = "nginx"
	// TargetApache is cert.pem (leaf), chain.pem (intermediates) and
	// privkey.pem, as SSLCertificateFile, SSLCertificateChainFile and
	// SSLCertificateKeyFile.
	TargetApache Target = "apache"
	// TargetHAProxy is one PEM: the chain, then the key.
	TargetHAProxy Target = "haproxy"
	// TargetPython is one PEM: the chain, then the key, as
	// ssl.SSLContext.load_cert_chain reads it.
	TargetPython Target = "python"
	// TargetPFX is a PKCS#12 file with modern algorithms (PFXModern).
	TargetPFX Target = "pfx"
	// TargetPFXLegacy is a PKCS#12 file for old importers (PFXLegacy).
	TargetPFXLegacy Target = "pfx-legacy"
	// TargetK8s is a Secret of type kubernetes.io/tls in YAML.
	TargetK8s Target = "k8s"
)

// Targets lists every target, default first.
func Targets() []Target {
	return []Target{TargetPEM, TargetNginx, TargetApache, TargetHAProxy, TargetPython, TargetPFX, TargetPFXLegacy, TargetK8s}
}

// ParseTarget returns the target named s; "" is TargetPEM.
func ParseTarget(s string) (Target, error) {
	if s == "" {
		return TargetPEM, nil
	}
	for _, t := range Targets() {
		if string(t) == s {
			return t, nil
		}
	}
	names := make([]string, 0, len(Targets()))
	for _, t := range Targets() {
		names = append(names, string(t))
	}
	return "", fmt.Errorf("unknown target %q (want %s)", s, strings.Join(names, ", "))
}

// MultiFile reports whether the target writes several files, into a folder.
func (t Target) MultiFile() bool { return t == TargetNginx || t == TargetApache }

// NeedsKey reports whether the target holds the private key in any case.
func (t Target) NeedsKey() bool { return t != TargetPEM }

// ErrKeyRequired means the target holds the private key and none is known.
var ErrKeyRequired = errors.New("this output holds the private key, and no key matched the leaf")

// LayoutOptions tune Layout.
type LayoutOptions struct {
	// IncludeRoot writes the anchor after the intermediates.
	IncludeRoot bool
	// WithKey adds the key after the chain in TargetPEM's single file.
	WithKey bool
	// Password encrypts PFX targets ("" is no password).
	Password string
	// SecretName names the Kubernetes Secret; empty means one derived from
	// the leaf's first DNS name ("www-example-com-tls").
	SecretName string
}

// OutputFile is one file of a layout.
type OutputFile struct {
	// Name is the file's conventional name, used inside an output folder.
	Name string
	Data []byte
	// Secret marks a file holding the private key (to be created 0600).
	Secret bool
}

// Layout returns the files target expects for chain c.
func Layout(c *Chain, t Target, opts LayoutOptions) ([]OutputFile, error) {
	if (t.NeedsKey() || opts.WithKey) && c.Key == nil {
		return nil, ErrKeyRequired
	}
	served := c.Served(opts.IncludeRoot)
	switch t {
	case TargetPEM:
		return pemFile("chain.pem", served, c, opts.WithKey)
	case TargetHAProxy:
		return pemFile("haproxy.pem", served, c, true)
	case TargetPython:
		return pemFile("server.pem", served, c, true)
	case TargetNginx:
		return nginxFiles(served, c)
	case TargetApache:
		return apacheFiles(served, c)
	case TargetPFX, TargetPFXLegacy:
		return pfxFile(served, c, t, opts.Password)
	case TargetK8s:
		return k8sFile(served, c, opts.SecretName)
	}
	_, err := ParseTarget(string(t))
	return nil, err
}

func pemFile(name string, certs []*x509.Certificate, c *Chain, withKey bool) ([]OutputFile, error) {
	var buf bytes.Buffer
	if err := EncodePEM(&buf, certs, nil); err != nil {
		return nil, err
	}
	if withKey {
		if err := EncodeKeyPEM(&buf, c.Key); err != nil {
			return nil, err
		}
	}
	return []OutputFile{{Name: name, Data: buf.Bytes(), Secret: withKey}}, nil
}

func keyFile(c *Chain) (OutputFile, error) {
	var buf bytes.Buffer
	if err := EncodeKeyPEM(&buf, c.Key); err != nil {
		return OutputFile{}, err
	}
	return OutputFile{Name: "privkey.pem", Data: buf.Bytes(), Secret: true}, nil
}

func nginxFiles(certs []*x509.Certificate, c *Chain) ([]OutputFile, error) {
	full, err := pemFile("fullchain.pem", certs, c, false)
	if err != nil {
		return nil, err
	}
	key, err := keyFile(c)
	if err != nil {
		return nil, err
	}
	return append(full, key), nil
}

// apacheFiles writes chain.pem only when there is something to put in it.
func apacheFiles(certs []*x509.Certificate, c *Chain) ([]OutputFile, error) {
	out, err := pemFile("cert.pem", certs[:1], c, false)
	if err != nil {
		return nil, err
	}
	if len(certs) > 1 {
		chain, err := pemFile("chain.pem", certs[1:], c, false)
		if err != nil {
			return nil, err
		}
		out = append(out, chain...)
	}
	key, err := keyFile(c)
	if err != nil {
		return nil, err
	}
	return append(out, key), nil
}

func pfxFile(certs []*x509.Certificate, c *Chain, t Target, password string) ([]OutputFile, error) {
	profile := PFXModern
	if t == TargetPFXLegacy {
		profile = PFXLegacy
	}
	data, err := EncodePFX(c.Key, certs[0], certs[1:], password, profile)
	if err != nil {
		return nil, err
	}
	return []OutputFile{{Name: "bundle.pfx", Data: data, Secret: true}}, nil
}

func k8sFile(certs []*x509.Certificate, c *Chain, name string) ([]OutputFile, error) {
	if name == "" {
		name = SecretName(c.Leaf())
	}
	var crt, key bytes.Buffer
	if err := EncodePEM(&crt, certs, nil); err != nil {
		return nil, err
	}
	if err := EncodeKeyPEM(&key, c.Key); err != nil {
		return nil, err
	}
	var y bytes.Buffer
	fmt.Fprintf(&y, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\ntype: kubernetes.io/tls\ndata:\n", name)
	fmt.Fprintf(&y, "  tls.crt: %s\n", base64.StdEncoding.EncodeToString(crt.Bytes()))
	fmt.Fprintf(&y, "  tls.key: %s\n", base64.StdEncoding.EncodeToString(key.Bytes()))
	return []OutputFile{{Name: "secret.yaml", Data: y.Bytes(), Secret: true}}, nil
}

// SecretName derives a Kubernetes object name (RFC 1123 label rules) from
// the leaf's first DNS name, or its common name: "*.example.com" becomes
// "wildcard-example-com-tls".
func SecretName(leaf *x509.Certificate) string {
	base := leaf.Subject.CommonName
	if len(leaf.DNSNames) > 0 {
		base = leaf.DNSNames[0]
	}
	base = strings.ReplaceAll(strings.ToLower(base), "*", "wildcard")
	var b strings.Builder
	for _, r := range base {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 59 {
		name = strings.Trim(name[:59], "-")
	}
	if name == "" {
		name = "chaintool"
	}
	return name + "-tls"
}
