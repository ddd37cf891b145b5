package bundle

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// CertSummary is the facts people look for in a certificate, as `chaintool
// inspect` prints them and `serve` shows them. Its JSON form is a stable,
// documented schema (docs/inspect.md): fields are only ever added.
type CertSummary struct {
	// Subject and Issuer are distinguished names in RFC 2253 order
	// ("CN=localhost,O=Example").
	Subject string `json:"subject"`
	Issuer  string `json:"issuer"`
	// Name is the subject's common name, or the whole subject without one.
	Name string `json:"name"`
	// Serial is the serial number in lower-case hex, colon separated.
	Serial    string    `json:"serial"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// DaysLeft is the number of whole days until NotAfter (negative once
	// expired), counted from the time the summary was made.
	DaysLeft    int  `json:"days_left"`
	Expired     bool `json:"expired"`
	NotYetValid bool `json:"not_yet_valid"`
	// KeyType is "RSA", "ECDSA", "Ed25519" or "unknown"; KeyBits its size
	// (the curve size for ECDSA); Curve the ECDSA curve ("P-256").
	KeyType            string `json:"key_type"`
	KeyBits            int    `json:"key_bits"`
	Curve              string `json:"curve,omitempty"`
	SignatureAlgorithm string `json:"signature_algorithm"`
	// Subject alternative names by kind; empty lists are [] in JSON.
	DNSNames       []string `json:"dns_names"`
	IPAddresses    []string `json:"ip_addresses"`
	EmailAddresses []string `json:"email_addresses"`
	URIs           []string `json:"uris"`
	// SHA256 is the fingerprint of the DER certificate, lower-case hex.
	SHA256 string `json:"sha256"`
	// SubjectKeyID and AuthorityKeyID are lower-case hex, colon separated
	// ("" when the extension is absent).
	SubjectKeyID   string `json:"subject_key_id"`
	AuthorityKeyID string `json:"authority_key_id"`
	// IsCA is the basic constraints CA flag. Role is "root" (a CA that
	// signed itself), "intermediate" (another CA) or "leaf".
	IsCA       bool   `json:"is_ca"`
	Role       string `json:"role"`
	SelfSigned bool   `json:"self_signed"`
	// KeyUsage and ExtKeyUsage use the RFC 5280 names ("digitalSignature",
	// "serverAuth"); unknown extended usages appear as dotted OIDs.
	KeyUsage    []string `json:"key_usage"`
	ExtKeyUsage []string `json:"ext_key_usage"`
	// OCSPServers and CAIssuers are the Authority Information Access URLs.
	OCSPServers []string `json:"ocsp_servers"`
	CAIssuers   []string `json:"ca_issuers"`
}

// Roles a certificate can play, as CertSummary.Role says.
const (
	RoleRoot         = "root"
	RoleIntermediate = "intermediate"
	RoleLeaf         = "leaf"
)

// CertFacts are the facts every report gives about a certificate: its
// subject and issuer (distinguished names in RFC 2253 order) and its
// validity period in UTC. Reports embed it; encoding/json then writes its
// four keys in place, at the embedding object's level.
type CertFacts struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
}

// FactsOf returns cert's subject, issuer and validity period.
func FactsOf(cert *x509.Certificate) CertFacts {
	return CertFacts{
		Subject:   cert.Subject.String(),
		Issuer:    cert.Issuer.String(),
		NotBefore: cert.NotBefore.UTC(),
		NotAfter:  cert.NotAfter.UTC(),
	}
}

// Summarize returns the summary of cert, with its validity judged at now.
func Summarize(cert *x509.Certificate, now time.Time) CertSummary {
	keyType, bits, curve := PublicKeyInfo(cert.PublicKey)
	s := CertSummary{
		Subject:            cert.Subject.String(),
		Issuer:             cert.Issuer.String(),
		Name:               SubjectName(cert),
		Serial:             hexColons(serialBytes(cert.SerialNumber)),
		NotBefore:          cert.NotBefore.UTC(),
		NotAfter:           cert.NotAfter.UTC(),
		KeyType:            keyType,
		KeyBits:            bits,
		Curve:              curve,
		SignatureAlgorithm: cert.SignatureAlgorithm.String(),
		DNSNames:           orEmpty(cert.DNSNames),
		EmailAddresses:     orEmpty(cert.EmailAddresses),
		SHA256:             Fingerprint(cert),
		SubjectKeyID:       hexColons(cert.SubjectKeyId),
		AuthorityKeyID:     hexColons(cert.AuthorityKeyId),
		IsCA:               cert.IsCA,
		SelfSigned:         selfSigned(cert),
		KeyUsage:           keyUsageList(cert.KeyUsage),
		ExtKeyUsage:        extKeyUsageList(cert),
		OCSPServers:        orEmpty(cert.OCSPServer),
		CAIssuers:          orEmpty(cert.IssuingCertificateURL),
		IPAddresses:        []string{},
		URIs:               []string{},
	}
	for _, ip := range cert.IPAddresses {
		s.IPAddresses = append(s.IPAddresses, ip.String())
	}
	for _, u := range cert.URIs {
		s.URIs = append(s.URIs, u.String())
	}
	switch {
	case cert.IsCA && s.SelfSigned:
		s.Role = RoleRoot
	case cert.IsCA:
		s.Role = RoleIntermediate
	default:
		s.Role = RoleLeaf
	}
	return s.JudgedAt(now)
}

// JudgedAt returns the summary with DaysLeft, Expired and NotYetValid
// judged at now, as Summarize judges them: what a server that keeps a
// summary shows at each request.
func (s CertSummary) JudgedAt(now time.Time) CertSummary {
	s.DaysLeft = wholeDays(now, s.NotAfter)
	s.Expired = now.After(s.NotAfter)
	s.NotYetValid = now.Before(s.NotBefore)
	return s
}

// Validity words how long the certificate has left at the time of the
// summary: "42 days left", "expires within a day", "expired 3 days ago",
// "not valid until 2027-01-01 (in 36 days)".
func (s CertSummary) Validity(now time.Time) string {
	switch {
	case s.NotYetValid:
		d := wholeDays(now, s.NotBefore)
		if d == 0 {
			return fmt.Sprintf("not valid until %s (within a day)", s.NotBefore.Format(time.DateTime))
		}
		return fmt.Sprintf("not valid until %s (in %s)", s.NotBefore.Format(time.DateOnly), dayCount(d))
	case s.Expired:
		d := wholeDays(s.NotAfter, now)
		if d == 0 {
			return "expired less than a day ago"
		}
		return fmt.Sprintf("expired %s ago", dayCount(d))
	case s.DaysLeft == 0:
		return "expires within a day"
	}
	return dayCount(s.DaysLeft) + " left"
}

// KeyDescription is "ECDSA P-256", "RSA 2048 bits" or "Ed25519".
func (s CertSummary) KeyDescription() string {
	return keyWords(s.KeyType, s.KeyBits, s.Curve)
}

// KeySummary describes a private key and the certificates it belongs to.
type KeySummary struct {
	Type  string `json:"type"`
	Bits  int    `json:"bits"`
	Curve string `json:"curve,omitempty"`
	// Matches holds the indexes (into the certificates given) of every
	// certificate whose public key is this key's; empty when none.
	Matches []int `json:"matches"`
}

// SummarizeKey describes key and finds the certificates among certs that
// it is the private key of.
func SummarizeKey(key crypto.Signer, certs []*x509.Certificate) KeySummary {
	typ, bits, curve := PublicKeyInfo(key.Public())
	k := KeySummary{Type: typ, Bits: bits, Curve: curve, Matches: []int{}}
	for i, c := range certs {
		if KeyMatches(c, key) {
			k.Matches = append(k.Matches, i)
		}
	}
	return k
}

// Description is "ECDSA P-256", "RSA 2048 bits" or "Ed25519".
func (k KeySummary) Description() string { return keyWords(k.Type, k.Bits, k.Curve) }

// PublicKeyInfo returns the algorithm ("RSA", "ECDSA", "Ed25519" or
// "unknown"), the size in bits and, for ECDSA, the curve name.
func PublicKeyInfo(pub crypto.PublicKey) (typ string, bits int, curve string) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen(), ""
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize, k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519", 256, ""
	}
	return "unknown", 0, ""
}

func keyWords(typ string, bits int, curve string) string {
	switch {
	case curve != "":
		return typ + " " + curve
	case typ == "RSA":
		return fmt.Sprintf("RSA %d bits", bits)
	}
	return typ
}

// SubjectName names a certificate briefly: its common name, or its whole
// subject when it has none.
func SubjectName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	if s := c.Subject.String(); s != "" {
		return s
	}
	return "(empty subject)"
}

// LinkLine is a one-line view of how certs link, each signed by the next:
// "CN=leaf -> CN=inter -> CN=root" with linked true, or a sentence saying
// where and why they do not form a chain in this order.
func LinkLine(certs []*x509.Certificate) (line string, linked bool) {
	if len(certs) == 0 {
		return "no certificates", false
	}
	names := make([]string, len(certs))
	for i, c := range certs {
		names[i] = "CN=" + SubjectName(c)
		if c.Subject.CommonName == "" {
			names[i] = SubjectName(c)
		}
	}
	for i := 0; i+1 < len(certs); i++ {
		if certs[i].CheckSignatureFrom(certs[i+1]) != nil {
			return brokenLinkLine(certs, names, i), false
		}
	}
	return strings.Join(names, " -> "), true
}

// brokenLinkLine explains the first pair (i, i+1) that does not link.
func brokenLinkLine(certs []*x509.Certificate, names []string, i int) string {
	reversed := true
	for j := len(certs) - 1; j > 0; j-- {
		if certs[j].CheckSignatureFrom(certs[j-1]) != nil {
			reversed = false
			break
		}
	}
	if reversed {
		rev := make([]string, len(names))
		for j := range names {
			rev[j] = names[len(names)-1-j]
		}
		return "not a chain in this order; reversed it is " + strings.Join(rev, " -> ")
	}
	return fmt.Sprintf("not a chain: %s (#%d) is not signed by %s (#%d)", names[i], i+1, names[i+1], i+2)
}

func wholeDays(from, to time.Time) int {
	return int(to.Sub(from).Hours() / 24)
}

// dayCount words a number of days: "1 day", "12 days".
func dayCount(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// serialBytes returns the serial's big-endian bytes (negative serials, which
// some old CAs issued, by their absolute value).
func serialBytes(n *big.Int) []byte {
	if n == nil {
		return nil
	}
	b := new(big.Int).Abs(n).Bytes()
	if len(b) == 0 {
		b = []byte{0}
	}
	return b
}

// hexColons writes bytes as lower-case hex pairs joined by colons.
func hexColons(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	h := hex.EncodeToString(b)
	var sb strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			sb.WriteByte(':')
		}
		sb.WriteString(h[i : i+2])
	}
	return sb.String()
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var keyUsageBitNames = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"},
	{x509.KeyUsageContentCommitment, "contentCommitment"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
	{x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"},
	{x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"},
	{x509.KeyUsageEncipherOnly, "encipherOnly"},
	{x509.KeyUsageDecipherOnly, "decipherOnly"},
}

func keyUsageList(ku x509.KeyUsage) []string {
	names := []string{}
	for _, b := range keyUsageBitNames {
		if ku&b.bit != 0 {
			names = append(names, b.name)
		}
	}
	return names
}

var extKeyUsageName = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:                            "any",
	x509.ExtKeyUsageServerAuth:                     "serverAuth",
	x509.ExtKeyUsageClientAuth:                     "clientAuth",
	x509.ExtKeyUsageCodeSigning:                    "codeSigning",
	x509.ExtKeyUsageEmailProtection:                "emailProtection",
	x509.ExtKeyUsageIPSECEndSystem:                 "ipsecEndSystem",
	x509.ExtKeyUsageIPSECTunnel:                    "ipsecTunnel",
	x509.ExtKeyUsageIPSECUser:                      "ipsecUser",
	x509.ExtKeyUsageTimeStamping:                   "timeStamping",
	x509.ExtKeyUsageOCSPSigning:                    "OCSPSigning",
	x509.ExtKeyUsageMicrosoftServerGatedCrypto:     "msSGC",
	x509.ExtKeyUsageNetscapeServerGatedCrypto:      "nsSGC",
	x509.ExtKeyUsageMicrosoftCommercialCodeSigning: "msCodeCom",
	x509.ExtKeyUsageMicrosoftKernelCodeSigning:     "msKernelCodeSigning",
}

func extKeyUsageList(cert *x509.Certificate) []string {
	names := []string{}
	for _, u := range cert.ExtKeyUsage {
		if n, ok := extKeyUsageName[u]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprint(u))
		}
	}
	for _, oid := range cert.UnknownExtKeyUsage {
		names = append(names, oid.String())
	}
	return names
}
