package grade

import (
	"bufio"
	"context"
	"crypto/dsa" //nolint:staticcheck // DSA keys still exist on old servers and must be scored
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

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

// allGoSuites is every suite crypto/tls implements, so that the
// certificate connection succeeds wherever Go can make one.
func allGoSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// liveCheck is what a normal crypto/tls connection and an HTTP request saw.
type liveCheck struct {
	state tls.ConnectionState
	hsts  HSTSResult
	err   error // the TLS handshake failed
}

// connect makes a crypto/tls connection over raw, then sends GET / over
// it to read the Strict-Transport-Security header. It closes raw.
func connect(ctx context.Context, raw net.Conn, sni, hostHeader string, timeout time.Duration) liveCheck {
	defer raw.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	_ = raw.SetDeadline(deadline)
	conn := tls.Client(raw, &tls.Config{
		ServerName:         sni,
		InsecureSkipVerify: true, //nolint:gosec // the chain is judged by verify, not here
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       allGoSuites(),
		NextProtos:         []string{"http/1.1"},
	})
	if err := conn.HandshakeContext(ctx); err != nil {
		return liveCheck{err: err, hsts: HSTSResult{MaxAge: -1, Problem: "no TLS connection for an HTTP request"}}
	}
	lc := liveCheck{state: conn.ConnectionState()}
	lc.hsts = fetchHSTS(conn, hostHeader)
	return lc
}

// fetchHSTS sends GET / and parses the first response's HSTS header.
func fetchHSTS(conn net.Conn, host string) HSTSResult {
	req := "GET / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: chaintool-grade\r\nAccept: */*\r\nConnection: close\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		return HSTSResult{MaxAge: -1, Problem: "no HTTP response: " + err.Error()}
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 16384), nil)
	if err != nil {
		return HSTSResult{MaxAge: -1, Problem: "no HTTP response: " + oneLine(err.Error())}
	}
	resp.Body.Close()
	h := parseHSTS(resp.Header.Values("Strict-Transport-Security"))
	h.Checked, h.Status = true, resp.StatusCode
	return h
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// certificateResult summarises the chain and maps verify's findings to
// the rating guide's caps: trust, dates, self-signed and SHA-1 to T, a
// name mismatch to M, an incomplete chain to B, MD5 or MD2 to F. A chain
// that stops short of a trusted root is "incomplete" (B), as testssl.sh
// rates it, whether an intermediate is missing or the root is unknown;
// with Options.Complete (AIA) the missing issuers are looked for first.
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
		res.Findings = append(res.Findings, Finding{ID: string(f.ID), Severity: string(f.Severity), Cert: f.Cert, Message: f.Message})
		if c, ok := capFor(f); ok {
			caps = append(caps, c)
		}
	}
	res.Trusted = rep.Trusted
	caps = append(caps, signatureCaps(rep, chain)...)
	return res, caps
}

// capFor maps one verify finding to a cap of the rating guide.
func capFor(f verify.Finding) (Cap, bool) {
	switch f.ID {
	case verify.HostnameMismatch:
		return Cap{"M", "certificate name mismatch: " + f.Message}, true
	case verify.UntrustedRoot, verify.Expired, verify.NotYetValid, verify.BadSignature,
		verify.LeafNoServerAuth, verify.IntermediateNotCA, verify.PathRejected, verify.NoCertificate:
		return Cap{"T", "certificate not trusted: " + f.Message}, true
	case verify.IncompleteChain:
		return Cap{"B", "incomplete chain: " + f.Message}, true
	}
	return Cap{}, false
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
	return CertSummary{
		CertFacts: bundle.FactsOf(c),
		Key:       keyInfo(c.PublicKey),
		Signature: c.SignatureAlgorithm.String(),
		DNSNames:  c.DNSNames,
	}
}
