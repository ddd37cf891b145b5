// Package testpki builds certificate chains for tests: roots, intermediates,
// leaves, cross-signed and renewed CAs, impostors and expired links, all
// dated from a fixed clock so that results never depend on the day a test
// runs.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Now is the fixed clock every certificate is dated from.
var Now = time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)

// KeyType selects the key algorithm and size of a new certificate.
type KeyType int

// Key types. ECDSA P-256 is the default because it is fast to generate.
const (
	ECDSAP256 KeyType = iota
	ECDSAP384
	RSA2048
	RSA1024
	RSA3072
	RSA4096
	Ed25519
)

// Cert is a certificate with its private key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// PEM returns the certificate as a PEM block.
func (c *Cert) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})
}

// DER returns the certificate's DER bytes.
func (c *Cert) DER() []byte { return c.Cert.Raw }

// KeyPEM returns the private key as a PKCS#8 PEM block.
func (c *Cert) KeyPEM() []byte {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// ChainPEM concatenates the PEM of several certificates.
func ChainPEM(certs ...*Cert) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, c.PEM()...)
	}
	return out
}

// X509 returns the parsed certificates of several Certs.
func X509(certs ...*Cert) []*x509.Certificate {
	out := make([]*x509.Certificate, len(certs))
	for i, c := range certs {
		out[i] = c.Cert
	}
	return out
}

// Pool returns a CertPool holding the given certificates.
func Pool(certs ...*Cert) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c.Cert)
	}
	return p
}

// Option changes the certificate being made.
type Option func(*spec)

type spec struct {
	tmpl    x509.Certificate
	keyType KeyType
	key     crypto.Signer
}

// Key sets the key type of the new certificate.
func Key(t KeyType) Option { return func(s *spec) { s.keyType = t } }

// WithKey reuses an existing key (renewals, cross-signs).
func WithKey(k crypto.Signer) Option { return func(s *spec) { s.key = k } }

// Validity sets the validity window.
func Validity(notBefore, notAfter time.Time) Option {
	return func(s *spec) { s.tmpl.NotBefore, s.tmpl.NotAfter = notBefore, notAfter }
}

// Expired makes the certificate expire 30 days before Now.
func Expired() Option {
	return Validity(Now.AddDate(-2, 0, 0), Now.AddDate(0, 0, -30))
}

// NotYetValid makes the certificate start 30 days after Now.
func NotYetValid() Option {
	return Validity(Now.AddDate(0, 0, 30), Now.AddDate(1, 0, 0))
}

// ExpiresIn makes the certificate expire d after Now.
func ExpiresIn(d time.Duration) Option {
	return func(s *spec) { s.tmpl.NotAfter = Now.Add(d) }
}

// DNS sets the DNS subject alternative names.
func DNS(names ...string) Option { return func(s *spec) { s.tmpl.DNSNames = names } }

// IP sets the IP subject alternative names.
func IP(ips ...string) Option {
	return func(s *spec) {
		s.tmpl.IPAddresses = nil
		for _, ip := range ips {
			s.tmpl.IPAddresses = append(s.tmpl.IPAddresses, net.ParseIP(ip))
		}
	}
}

// AIA sets the caIssuers URLs of the Authority Information Access extension.
func AIA(urls ...string) Option { return func(s *spec) { s.tmpl.IssuingCertificateURL = urls } }

// OCSP sets the OCSP responder URLs.
func OCSP(urls ...string) Option { return func(s *spec) { s.tmpl.OCSPServer = urls } }

// EKU sets the extended key usages (none when called with no argument).
func EKU(ekus ...x509.ExtKeyUsage) Option { return func(s *spec) { s.tmpl.ExtKeyUsage = ekus } }

// KeyUsage sets the key usage bits.
func KeyUsage(ku x509.KeyUsage) Option { return func(s *spec) { s.tmpl.KeyUsage = ku } }

// NotCA clears the CA basic constraint of an intermediate or root.
func NotCA() Option {
	return func(s *spec) { s.tmpl.IsCA, s.tmpl.BasicConstraintsValid = false, true }
}

// CA sets the CA basic constraint (a leaf marked CA).
func CA() Option { return func(s *spec) { s.tmpl.IsCA, s.tmpl.BasicConstraintsValid = true, true } }

// MaxPathLen sets the basic constraints path length (0 means zero).
func MaxPathLen(n int) Option {
	return func(s *spec) { s.tmpl.MaxPathLen, s.tmpl.MaxPathLenZero = n, n == 0 }
}

// PermittedDNS sets a name constraint on a CA.
func PermittedDNS(domains ...string) Option {
	return func(s *spec) { s.tmpl.PermittedDNSDomains = domains }
}

// SignatureAlgorithm sets the algorithm the issuer signs with.
func SignatureAlgorithm(a x509.SignatureAlgorithm) Option {
	return func(s *spec) { s.tmpl.SignatureAlgorithm = a }
}

// Subject replaces the whole subject name.
func Subject(n pkix.Name) Option { return func(s *spec) { s.tmpl.Subject = n } }

// SubjectKeyID sets the SKI (impostors copy the real one).
func SubjectKeyID(id []byte) Option { return func(s *spec) { s.tmpl.SubjectKeyId = id } }

var serial atomic.Int64

// NewRoot makes a self-signed root CA valid from a year before Now for
// twenty years.
func NewRoot(cn string, opts ...Option) *Cert {
	s := caSpec(cn, Now.AddDate(19, 0, 0))
	applyAll(s, opts)
	return issue(s, nil)
}

// NewIntermediate makes a CA certificate issued by c.
func (c *Cert) NewIntermediate(cn string, opts ...Option) *Cert {
	s := caSpec(cn, Now.AddDate(5, 0, 0))
	applyAll(s, opts)
	return issue(s, c)
}

// NewLeaf makes a serverAuth end-entity certificate issued by c, for cn as
// a DNS name unless DNS or IP options say otherwise, valid 90 days around Now.
func (c *Cert) NewLeaf(cn string, opts ...Option) *Cert {
	s := &spec{tmpl: x509.Certificate{
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             Now.AddDate(0, 0, -30),
		NotAfter:              Now.AddDate(0, 0, 60),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{cn},
	}}
	applyAll(s, opts)
	if isRSA(s) {
		s.tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	return issue(s, c)
}

// CrossSign issues a new certificate for subject's name and key, signed by c:
// the same CA reachable under another root.
func (c *Cert) CrossSign(subject *Cert, opts ...Option) *Cert {
	s := caSpec("", Now.AddDate(5, 0, 0))
	s.tmpl.Subject = subject.Cert.Subject
	s.tmpl.SubjectKeyId = subject.Cert.SubjectKeyId
	s.key = subject.Key
	applyAll(s, opts)
	return issue(s, c)
}

// Impostor makes a CA with the same subject and SKI as real but another key,
// signed by issuer (self-signed when issuer is nil). Its signatures never
// verify under real's key.
func Impostor(real, issuer *Cert, opts ...Option) *Cert {
	s := caSpec("", real.Cert.NotAfter)
	s.tmpl.Subject = real.Cert.Subject
	s.tmpl.SubjectKeyId = real.Cert.SubjectKeyId
	applyAll(s, opts)
	return issue(s, issuer)
}

func caSpec(cn string, notAfter time.Time) *spec {
	s := &spec{tmpl: x509.Certificate{
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"chaintool test"}},
		NotBefore:             Now.AddDate(-1, 0, 0),
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}}
	return s
}

func applyAll(s *spec, opts []Option) {
	for _, o := range opts {
		o(s)
	}
}

func isRSA(s *spec) bool {
	if s.key != nil {
		_, ok := s.key.Public().(*rsa.PublicKey)
		return ok
	}
	switch s.keyType {
	case RSA1024, RSA2048, RSA3072, RSA4096:
		return true
	}
	return false
}

// issue signs the spec with issuer's key, or self-signs when issuer is nil.
func issue(s *spec, issuer *Cert) *Cert {
	key := s.key
	if key == nil {
		key = NewKey(s.keyType)
	}
	tmpl := s.tmpl
	tmpl.SerialNumber = big.NewInt(1000 + serial.Add(1))
	if tmpl.SubjectKeyId == nil && tmpl.IsCA {
		tmpl.SubjectKeyId = keyID(key.Public())
	}
	parent, signer := &tmpl, key
	if issuer != nil {
		parent, signer = issuer.Cert, issuer.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, parent, key.Public(), signer)
	if err != nil {
		panic(fmt.Sprintf("testpki: creating %q: %v", tmpl.Subject.CommonName, err))
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return &Cert{Cert: cert, Key: key}
}

func keyID(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	sum := sha1.Sum(der)
	return sum[:]
}

var (
	rsaCacheMu sync.Mutex
	rsaCache   = map[int][]*rsa.PrivateKey{}
)

// NewKey makes a fresh key of the given type. RSA keys are slow to make, so
// a few per size are generated once per process and handed out in turn;
// tests that need two distinct RSA keys of one size still get them.
func NewKey(t KeyType) crypto.Signer {
	switch t {
	case ECDSAP256:
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		return k
	case ECDSAP384:
		k, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		return k
	case Ed25519:
		_, k, _ := ed25519.GenerateKey(rand.Reader)
		return k
	case RSA1024:
		return rsaKey(1024)
	case RSA2048:
		return rsaKey(2048)
	case RSA3072:
		return rsaKey(3072)
	case RSA4096:
		return rsaKey(4096)
	}
	panic(fmt.Sprintf("testpki: unknown key type %d", t))
}

var rsaNext = map[int]int{}

const rsaKeysPerSize = 6

func rsaKey(bits int) *rsa.PrivateKey {
	rsaCacheMu.Lock()
	defer rsaCacheMu.Unlock()
	i := rsaNext[bits] % rsaKeysPerSize
	rsaNext[bits]++
	if i < len(rsaCache[bits]) {
		return rsaCache[bits][i]
	}
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		panic(err)
	}
	rsaCache[bits] = append(rsaCache[bits], k)
	return k
}
