// Package verify checks a TLS certificate chain (and optionally its private
// key) the way clients will judge it: key match, order, signatures, trust,
// names, dates and policy. Check returns a Report of findings; findings are
// plain values with constant ids so that callers (the CLI, serve at start-up,
// grade) can filter them. The package never prints, prompts or exits.
package verify

import (
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"time"

	"github.com/chaintool/chaintool/bundle"
)

// Severity says how much a finding matters.
type Severity string

// Severities, from most to least serious.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// ID names a kind of finding. Its string value is stable (kebab-case) and
// appears in JSON output.
type ID string

// Errors: the chain will fail for some or all clients.
const (
	KeyMismatch       ID = "key-mismatch"        // the key is not the leaf's
	WrongOrder        ID = "wrong-order"         // not in leaf → issuer order
	BadSignature      ID = "bad-signature"       // a certificate not signed by the next one
	IncompleteChain   ID = "incomplete-chain"    // no path to a trusted anchor with what is given
	UntrustedRoot     ID = "untrusted-root"      // the path ends at a root that is not trusted
	Expired           ID = "expired"             // a certificate in the path has expired
	NotYetValid       ID = "not-yet-valid"       // a certificate in the path is not valid yet
	HostnameMismatch  ID = "hostname-mismatch"   // the leaf is not valid for Options.Host
	LeafNoServerAuth  ID = "leaf-no-server-auth" // the leaf lacks the serverAuth EKU
	LeafIsCA          ID = "leaf-is-ca"          // the leaf is marked as a CA
	IntermediateNotCA ID = "intermediate-not-ca" // an issuer lacks CA basic constraints or certSign
	WeakRSAKey        ID = "weak-rsa-key"        // an RSA key under 2048 bits
	WeakSignature     ID = "weak-signature"      // SHA-1 or MD5 signature below the anchor
)

// Warnings: the chain works today but is fragile.
const (
	ExpiresSoon         ID = "expires-soon"           // a certificate expires within WarnDays
	Duplicate           ID = "duplicate"              // the same certificate given twice
	Unrelated           ID = "unrelated"              // a certificate not part of the path
	LeafValidityTooLong ID = "leaf-validity-too-long" // leaf valid for more than 398 days
	AIANeeded           ID = "aia-needed"             // path only completable by AIA download
)

// Information.
const (
	ContainsAnchor ID = "contains-anchor" // the root itself is sent
	OCSPStapled    ID = "ocsp-stapled"    // a live server stapled an OCSP response
	NoOCSPStaple   ID = "no-ocsp-staple"  // a live server stapled none
	Negotiated     ID = "negotiated"      // TLS version and cipher suite of a live server
)

// Finding is one observation about the chain.
type Finding struct {
	ID       ID
	Severity Severity
	// Cert is the index in Report.Chain of the certificate concerned, or
	// -1 when the finding concerns no single certificate.
	Cert int
	// Subject is that certificate's subject, empty when Cert is -1.
	Subject string
	// Message is one sentence, lower case, no final period.
	Message string
}

// Options tunes Check.
type Options struct {
	// Roots are the trust anchors; nil means the system store plus the
	// Mozilla roots.
	Roots *bundle.Roots
	// Host is the DNS name or IP address the leaf must be valid for;
	// empty skips the name check.
	Host string
	// At is the time dates are judged at; zero means now.
	At time.Time
	// WarnDays is the warning window for expiry; 0 means 30.
	WarnDays int
	// State is the connection to a live server, for the info findings.
	State *tls.ConnectionState
	// Complete, when set, tries to complete a path through AIA downloads
	// and returns the certificates it fetched; nil means don't.
	Complete func(ctx context.Context, chain []*x509.Certificate) ([]*x509.Certificate, error)
}

// Report is the result of Check.
type Report struct {
	// Chain is the chain as given, in the given order.
	Chain []*x509.Certificate
	// Findings, errors first, then warnings, then info.
	Findings []Finding
	// EarliestExpiry is the earliest NotAfter anywhere in the path: the
	// day the site breaks. EarliestExpiryCert is its index in Chain (-1
	// when no certificate was given).
	EarliestExpiry     time.Time
	EarliestExpiryCert int
}

// Check judges chain (leaf first, as a server would send it) and, when key
// is not nil, whether key belongs to the leaf.
func Check(chain []*x509.Certificate, key crypto.Signer, opts Options) *Report {
	return check(chain, key, opts)
}

// Has reports whether the report holds a finding with id.
func (r *Report) Has(id ID) bool {
	for _, f := range r.Findings {
		if f.ID == id {
			return true
		}
	}
	return false
}

// Errors returns the error findings.
func (r *Report) Errors() []Finding { return r.bySeverity(SeverityError) }

// Warnings returns the warning findings.
func (r *Report) Warnings() []Finding { return r.bySeverity(SeverityWarning) }

func (r *Report) bySeverity(s Severity) []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}
