package grade

import (
	// crypto/dsa is deprecated, but crypto/x509 still parses DSA
	// certificates into *dsa.PublicKey, and old servers still send them:
	// keyInfo needs the type to size and score such a key.
	//lint:ignore SA1019 DSA server keys must be scored, see above
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"slices"
	"strconv"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/verify"
)

// keyInfo describes a certificate's public key and its key exchange score.
func keyInfo(pub any) KeyInfo {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return KeyInfo{Type: "RSA", Bits: k.N.BitLen(), Score: ffScore(k.N.BitLen())}
	case *ecdsa.PublicKey:
		bits := k.Curve.Params().BitSize
		return KeyInfo{Type: "ECDSA", Bits: bits, Score: ecScore(bits)}
	case ed25519.PublicKey:
		return KeyInfo{Type: "Ed25519", Bits: 253, Score: ecScore(253)}
	case *dsa.PublicKey:
		return KeyInfo{Type: "DSA", Bits: k.P.BitLen(), Score: ffScore(k.P.BitLen())}
	}
	return KeyInfo{Type: fmt.Sprintf("%T", pub)}
}

// ffScore scores RSA, DSA and DH sizes by the rating guide.
func ffScore(bits int) int {
	switch {
	case bits < 512:
		return 20
	case bits < 1024:
		return 40
	case bits < 2048:
		return 80
	case bits < 4096:
		return 90
	}
	return 100
}

// ecScore scores elliptic-curve sizes as testssl.sh maps them.
func ecScore(bits int) int {
	switch {
	case bits < 110:
		return 20
	case bits < 123:
		return 40
	case bits < 163:
		return 80
	case bits < 225:
		return 90
	}
	return 100
}

// certificateResult summarises the chain and maps verify's findings to
// the rating guide's caps: trust, dates, self-signed and SHA-1 to T, a
// name mismatch to M, MD5 or MD2 to F, and a chain that stops short of a
// trusted root by incompleteCap.
func certificateResult(chain []*x509.Certificate, opts Options, host string, state *tls.ConnectionState) (*CertificateResult, []Cap) {
	res := &CertificateResult{}
	for _, c := range chain {
		res.Chain = append(res.Chain, summarize(c))
	}
	if state != nil {
		res.Protocol = VersionName(state.Version)
		res.Suite = tls.CipherSuiteName(state.CipherSuite)
	}
	rep := verify.Check(chain, nil, verify.Options{
		Roots: opts.Roots, Host: host, At: opts.At, State: state, Complete: opts.Complete,
	})
	var caps []Cap
	for _, f := range rep.Findings {
		res.Findings = append(res.Findings, Finding{ID: string(f.ID), Severity: string(f.Severity), Cert: f.Cert, Subject: f.Subject, Message: f.Message})
		if f.ID == verify.IncompleteChain {
			caps = append(caps, incompleteCap(f, rep, opts.Complete != nil))
		} else if c, ok := capFor(f); ok {
			caps = append(caps, c)
		}
	}
	res.Trusted = rep.Trusted
	caps = append(caps, signatureCaps(rep, chain)...)
	if !rep.Trusted && !rep.Has(verify.IncompleteChain) && !slices.ContainsFunc(caps, func(c Cap) bool { return c.Grade == "T" || c.Grade == "F" }) {
		caps = append(caps, untrustedCap(rep))
	}
	return res, caps
}

// capFor maps one verify finding other than IncompleteChain to a cap of
// the rating guide.
func capFor(f verify.Finding) (Cap, bool) {
	switch f.ID {
	case verify.HostnameMismatch:
		return Cap{"M", "certificate name mismatch: " + f.Message}, true
	case verify.UntrustedRoot, verify.Expired, verify.NotYetValid, verify.BadSignature,
		verify.LeafNoServerAuth, verify.IntermediateNotCA, verify.PathRejected, verify.NoCertificate:
		return Cap{"T", "certificate not trusted: " + f.Message}, true
	}
	return Cap{}, false
}

// untrustedCap is the T of a chain verify did not find trusted although
// no finding above says why (a search stopped at its limit, say): an
// untrusted chain never escapes T for lack of a finding the rating knows.
func untrustedCap(rep *verify.Report) Cap {
	for _, f := range rep.Errors() {
		return Cap{"T", "certificate not trusted: " + f.Message}
	}
	return Cap{"T", "certificate not trusted: no path to a trusted root was found"}
}

// incompleteCap rates a chain whose top certificate's issuer is neither
// sent nor a trusted root, as SSL Labs does: it is B ("incomplete chain",
// an extra download) only when clients can fetch the issuer from the top
// certificate's caIssuers AIA URL and so reach a trusted root. Without
// such a URL no client can complete the chain: T. With a URL and fetching
// enabled (fetched), the completed path decides: trusted B, else T. With
// a URL and no fetching the issuer is assumed to be there, B, and the
// reason says it was not fetched.
func incompleteCap(f verify.Finding, rep *verify.Report, fetched bool) Cap {
	var top *x509.Certificate
	if f.Cert >= 0 && f.Cert < len(rep.Chain) {
		top = rep.Chain[f.Cert]
	}
	if top == nil {
		return Cap{"T", "certificate not trusted: " + f.Message}
	}
	name, issuer := verify.CertName(top), strconv.Quote(issuerCN(top))
	missing := fmt.Sprintf("the issuer of %s (%s) is neither sent nor a trusted root", name, issuer)
	switch {
	case len(top.IssuingCertificateURL) == 0:
		return Cap{"T", fmt.Sprintf("certificate not trusted: %s, and %s names no URL to fetch it from (no AIA caIssuers)", missing, name)}
	case fetched && rep.Trusted:
		return Cap{"B", fmt.Sprintf("incomplete chain: %s; fetched from the AIA URL %s, the path reaches a trusted root (an extra download for clients)",
			missing, top.IssuingCertificateURL[0])}
	case fetched && rep.CompleteErr != nil:
		return Cap{"T", fmt.Sprintf("certificate not trusted: %s, and completing it from the AIA URL %s failed: %v",
			missing, top.IssuingCertificateURL[0], rep.CompleteErr)}
	case fetched:
		return Cap{"T", fmt.Sprintf("certificate not trusted: %s, and fetching it from the AIA URL %s gave no trusted path",
			missing, top.IssuingCertificateURL[0])}
	}
	return Cap{"B", fmt.Sprintf("incomplete chain: %s; it was not fetched from the AIA URL %s (SSL Labs fetches it, and rates T if the path then reaches no trusted root)",
		missing, top.IssuingCertificateURL[0])}
}

// issuerCN is the common name of c's issuer, or its whole name.
func issuerCN(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	return c.Issuer.String()
}

// signatureCaps judges the signatures below the trust anchor: MD2 or MD5
// cap at F, SHA-1 at T.
func signatureCaps(rep *verify.Report, chain []*x509.Certificate) []Cap {
	certs := chain
	if len(rep.Path) > 0 {
		certs = nil
		for _, p := range rep.Path {
			if p.Role != verify.RoleRoot {
				certs = append(certs, p.Cert)
			}
		}
	} else if len(certs) > 1 {
		certs = certs[:len(certs)-1]
	}
	var caps []Cap
	for _, c := range certs {
		name := c.Subject.CommonName
		switch c.SignatureAlgorithm {
		case x509.MD2WithRSA, x509.MD5WithRSA:
			caps = append(caps, Cap{"F", fmt.Sprintf("%q is signed with %s", name, c.SignatureAlgorithm)})
		case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
			caps = append(caps, Cap{"T", fmt.Sprintf("certificate not trusted: %q is signed with SHA-1", name)})
		}
	}
	return caps
}

func summarize(c *x509.Certificate) CertSummary {
	s := CertSummary{
		CertFacts: bundle.FactsOf(c),
		Key:       keyInfo(c.PublicKey),
		Signature: c.SignatureAlgorithm.String(),
		DNSNames:  c.DNSNames,
	}
	for _, ip := range c.IPAddresses {
		s.IPAddresses = append(s.IPAddresses, ip.String())
	}
	return s
}
