package serve

import (
	"context"
	"crypto/x509"
	"net"
	"strings"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/grade"
)

// SelfGrade is the server's grade of itself, by ../shared/GRADING.md. Its
// JSON keys are stable; see docs/serve.md.
type SelfGrade struct {
	// Target is the loopback address graded.
	Target string `json:"target"`
	// ServerName is the name the certificate was checked against.
	ServerName string `json:"server_name"`
	// Grade is the letter, "A+" to "F", "T" or "M"; empty after an error.
	Grade            string      `json:"grade"`
	Score            int         `json:"score"`
	ProtocolScore    int         `json:"protocol_score"`
	KeyExchangeScore int         `json:"key_exchange_score"`
	CipherScore      int         `json:"cipher_strength_score"`
	Caps             []grade.Cap `json:"caps"`
	Warnings         []string    `json:"warnings"`
	NotTested        []string    `json:"not_tested"`
	// Checker is "grade", chaintool's full grader.
	Checker string `json:"checker"`
	// CheckedAt is when the check ran; Duration how long it took.
	CheckedAt  time.Time `json:"checked_at"`
	DurationMS int64     `json:"duration_ms"`
	// Error says why the check could not run; empty when it did.
	Error string `json:"error,omitempty"`
}

// SelfCheck grades the server over loopback, trusting roots (nil means
// the system store plus the Mozilla roots), and keeps the result for the
// built-in page. The certificate is checked against the leaf's first name.
func (s *Server) SelfCheck(ctx context.Context, roots *bundle.Roots) (*SelfGrade, error) {
	start := time.Now()
	sg := &SelfGrade{
		Target:     loopbackAddr(s.Addr()),
		ServerName: ClientName(s.Certificate().Chain[0]),
		Checker:    "grade",
		CheckedAt:  start.UTC().Truncate(time.Second),
	}
	res, err := grade.Grade(ctx, sg.Target, grade.Options{ServerName: sg.ServerName, Roots: roots})
	sg.DurationMS = time.Since(start).Milliseconds()
	if err != nil {
		sg.Error = err.Error()
		s.grade.Store(sg)
		return sg, err
	}
	sg.Grade, sg.Score = res.Grade, res.Score
	sg.ProtocolScore, sg.KeyExchangeScore, sg.CipherScore = res.ProtocolScore, res.KeyExchangeScore, res.CipherScore
	sg.Caps, sg.Warnings, sg.NotTested = res.Caps, res.Warnings, res.NotTested
	s.grade.Store(sg)
	return sg, nil
}

// LastSelfGrade returns the latest self-check, or nil before the first.
func (s *Server) LastSelfGrade() *SelfGrade { return s.grade.Load() }

// loopbackAddr turns the listening address into one to dial: an
// unspecified address (0.0.0.0, ::) becomes the loopback of its family.
func loopbackAddr(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip.To4() == nil {
			host = "::1"
		}
	}
	return net.JoinHostPort(host, port)
}

// ClientName picks the name a client would use for leaf: its first DNS name
// (a wildcard's "*" made "www"), else its first IP address, else its
// common name.
func ClientName(leaf *x509.Certificate) string {
	if len(leaf.DNSNames) > 0 {
		n := leaf.DNSNames[0]
		if rest, ok := strings.CutPrefix(n, "*."); ok {
			n = "www." + rest
		}
		return n
	}
	if len(leaf.IPAddresses) > 0 {
		return leaf.IPAddresses[0].String()
	}
	return leaf.Subject.CommonName
}
