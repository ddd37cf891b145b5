// Package grade probes a live TLS endpoint and rates it by Qualys SSL Labs'
// SSL Server Rating Guide (2009r): protocol support, key exchange and cipher
// strength scores, the caps and warnings of the guide, and a letter from A+
// to F (or T for an untrusted certificate, M for a name mismatch).
//
// The probes write their own ClientHellos, so they see what a server really
// offers (SSL 2.0/3.0, export, RC4, DHE, static RSA and more), not only what
// crypto/tls can negotiate. The package never prints or exits.
package grade

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chaintool/chaintool/bundle"
)

// ErrUnreachable marks a target that could not be reached or that completed
// no TLS handshake at all; the CLI maps it to exit code 2.
var ErrUnreachable = bundle.ErrUnreachable

// Options tune a grade.
type Options struct {
	// ServerName is the SNI name sent and the name the certificate must
	// match; empty means the host of addr (none for an IP address, in which
	// case the address itself is matched).
	ServerName string
	// Roots are the trust anchors; nil means the system store plus the
	// Mozilla roots.
	Roots *bundle.Roots
	// Timeout bounds each probe (dial, write, read); 0 means DefaultTimeout.
	Timeout time.Duration
	// Concurrency bounds the probes in flight; 0 means DefaultConcurrency.
	Concurrency int
	// At is the time certificates are judged at; zero means now.
	At time.Time
	// Complete, when set, completes a chain missing its intermediates (AIA
	// downloads), as verify.Options.Complete; nil means don't.
	Complete func(ctx context.Context, chain []*x509.Certificate) ([]*x509.Certificate, error)
}

// Cap is one limit the rating guide put on the letter, with its reason.
type Cap struct {
	// Grade is the highest letter allowed ("F", "C", "B", "T", "M").
	Grade string `json:"grade"`
	// Reason says why, in one sentence ("TLS 1.0 offered").
	Reason string `json:"reason"`
}

// Result is a rated endpoint.
type Result struct {
	// Target is the host:port graded.
	Target string `json:"target"`
	// Grade is the letter: "A+", "A", "A-", "B", "C", "D", "E", "F", "T" or "M".
	Grade string `json:"grade"`
	// Score is the weighted total, 0-100.
	Score int `json:"score"`
	// ProtocolScore, KeyExchangeScore and CipherScore are the three
	// categories, each 0-100, weighted 30/30/40.
	ProtocolScore    int `json:"protocol_score"`
	KeyExchangeScore int `json:"key_exchange_score"`
	CipherScore      int `json:"cipher_strength_score"`
	// Caps are every cap that applied, lowest first.
	Caps []Cap `json:"caps"`
	// Warnings are the guide's warnings (each turns A into A-).
	Warnings []string `json:"warnings"`
	// NotTested lists checks of the guide that were not performed; the
	// grade never claims the server safe from them.
	NotTested []string `json:"not_tested"`
	// Notes explain what is neither a cap nor a warning: why there is no
	// A+ (no HSTS), where chaintool follows SSL Labs rather than testssl.sh.
	Notes []string `json:"notes"`

	// ServerName is the SNI name sent and matched ("" for none).
	ServerName string `json:"server_name"`
	// Protocols lists SSL 2.0 to TLS 1.3, oldest first.
	Protocols []Protocol `json:"protocols"`
	// Suites are every suite accepted, newest protocol first.
	Suites      []SuiteResult     `json:"suites"`
	KeyExchange KeyExchangeResult `json:"key_exchange"`
	// Simulations are the modern clients replayed and what they got.
	Simulations []Simulation `json:"simulations"`
	// Certificate is nil when no certificate could be read.
	Certificate *CertificateResult `json:"certificate"`
	HSTS        HSTSResult         `json:"hsts"`
	// Problems are probes that ended in a reset, a stall or garbage rather
	// than an answer: the lists above may miss something.
	Problems []string `json:"problems"`
	// Probes is the number of connections made; DurationMS the wall time.
	Probes     int   `json:"probes"`
	DurationMS int64 `json:"duration_ms"`
}

// letterRank orders letters from best to worst; T and M rank below F.
var letterRank = map[string]int{
	"A+": 0, "A": 1, "A-": 2, "B": 3, "C": 4, "D": 5, "E": 6, "F": 7, "T": 8, "M": 8,
}

// AtLeast reports whether the letter got is as good as min or better, in
// the order A+ > A > A- > B > C > D > E > F, with T and M lowest. An unknown
// letter is never at least anything. min should pass CheckMinimum: with T
// or M every letter is at least min.
func AtLeast(got, min string) bool {
	g, ok1 := letterRank[got]
	m, ok2 := letterRank[min]
	return ok1 && ok2 && g <= m
}

// ValidGrade reports whether s is a letter Grade can return.
func ValidGrade(s string) bool { _, ok := letterRank[s]; return ok }

// Minimums are the letters a minimum grade may be, best first. T and M
// rank below F, so as a minimum they would let every grade pass: they are
// grades, not minimums.
var Minimums = []string{"A+", "A", "A-", "B", "C", "D", "E", "F"}

// CheckMinimum says whether min may be the least grade a caller accepts
// (AtLeast's second argument): one of Minimums. Its error says why not,
// worded to follow the caller's name for the value, as in
// `--min-grade "T": T ranks below F, so every grade would pass; want one
// of A+, A, A-, B, C, D, E, F`.
func CheckMinimum(min string) error {
	if slices.Contains(Minimums, min) {
		return nil
	}
	want := "want one of " + strings.Join(Minimums, ", ")
	if ValidGrade(min) {
		return fmt.Errorf("%s ranks below F, so every grade would pass; %s", min, want)
	}
	return errors.New(want)
}
