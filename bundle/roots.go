package bundle

import (
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	mozilla "golang.org/x/crypto/x509roots/fallback/bundle"
)

// Root store names accepted by LoadRoots besides file paths.
const (
	RootsSystem  = "system"
	RootsMozilla = "mozilla"
)

// Anchor is one trust anchor and the store it came from.
type Anchor struct {
	Cert *x509.Certificate
	// Source is "system", "mozilla" or the file it was read from.
	Source string
	// Constraint, when set, must accept a chain ending at this anchor
	// (Mozilla's distrust-after dates).
	Constraint func([]*x509.Certificate) error
}

// Roots is a set of trust anchors, deduplicated by certificate.
type Roots struct {
	Anchors []Anchor
	seen    map[[32]byte]bool
}

// Add appends an anchor unless the same certificate is already present.
func (r *Roots) Add(a Anchor) {
	if r.seen == nil {
		r.seen = map[[32]byte]bool{}
	}
	sum := sha256.Sum256(a.Cert.Raw)
	if r.seen[sum] {
		return
	}
	r.seen[sum] = true
	r.Anchors = append(r.Anchors, a)
}

// Contains returns the anchor that is exactly cert, if any.
func (r *Roots) Contains(cert *x509.Certificate) (Anchor, bool) {
	if r == nil {
		return Anchor{}, false
	}
	for _, a := range r.Anchors {
		if a.Cert.Equal(cert) {
			return a, true
		}
	}
	return Anchor{}, false
}

// Pool returns the anchors as a CertPool, with their constraints.
func (r *Roots) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	if r == nil {
		return p
	}
	for _, a := range r.Anchors {
		if a.Constraint != nil {
			p.AddCertWithConstraint(a.Cert, a.Constraint)
		} else {
			p.AddCert(a.Cert)
		}
	}
	return p
}

// LoadRoots builds a root store from specs, each "system", "mozilla" or a
// file of certificates in any format Read accepts. No specs means the
// default: the system store plus the embedded Mozilla roots.
func LoadRoots(specs []string, password PasswordFunc) (*Roots, error) {
	if len(specs) == 0 {
		specs = []string{RootsSystem, RootsMozilla}
	}
	r := &Roots{}
	for _, s := range specs {
		switch s {
		case RootsSystem:
			anchors, err := SystemRoots()
			if err != nil && len(specs) == 1 {
				return nil, err
			}
			for _, a := range anchors {
				r.Add(a)
			}
		case RootsMozilla:
			for _, a := range MozillaRoots() {
				r.Add(a)
			}
		default:
			c, err := ReadFile(s, password)
			if err != nil {
				return nil, err
			}
			if len(c.Certs) == 0 {
				return nil, fmt.Errorf("%s: holds no certificate to trust", s)
			}
			for _, cert := range c.Certs {
				r.Add(Anchor{Cert: cert, Source: s})
			}
		}
	}
	return r, nil
}

var (
	mozillaOnce    sync.Once
	mozillaAnchors []Anchor
)

// MozillaRoots returns the Mozilla root program's anchors embedded from
// golang.org/x/crypto/x509roots/fallback/bundle.
func MozillaRoots() []Anchor {
	mozillaOnce.Do(func() {
		for root := range mozilla.Roots() {
			cert, err := x509.ParseCertificate(root.Certificate)
			if err != nil {
				continue
			}
			mozillaAnchors = append(mozillaAnchors, Anchor{Cert: cert, Source: RootsMozilla, Constraint: root.Constraint})
		}
	})
	return mozillaAnchors
}

// systemRootFiles are where Linux distributions and macOS Homebrew keep the
// system bundle; SSL_CERT_FILE and SSL_CERT_DIR override, as for crypto/x509.
var systemRootFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

var systemRootDirs = []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}

// SystemRoots reads the operating system's trust store. crypto/x509's
// system pool cannot be listed, and path building needs the certificates
// themselves, so the same files are read here.
func SystemRoots() ([]Anchor, error) {
	files := systemRootFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		if anchors := readAnchorsFile(f); len(anchors) > 0 {
			return anchors, nil
		}
	}
	dirs := systemRootDirs
	if d := os.Getenv("SSL_CERT_DIR"); d != "" {
		dirs = filepath.SplitList(d)
	}
	var out []Anchor
	for _, d := range dirs {
		names, _ := filepath.Glob(filepath.Join(d, "*"))
		for _, n := range names {
			out = append(out, readAnchorsFile(n)...)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no system trust store found")
	}
	return out, nil
}

func readAnchorsFile(path string) []Anchor {
	c, err := ReadFile(path, nil)
	if err != nil {
		return nil
	}
	out := make([]Anchor, 0, len(c.Certs))
	for _, cert := range c.Certs {
		out = append(out, Anchor{Cert: cert, Source: RootsSystem})
	}
	return out
}
