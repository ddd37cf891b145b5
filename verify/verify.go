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
	"slices"
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
	// PathRejected: crypto/x509 refuses the path for a reason none of the
	// findings above explains (name constraints, path length, EKU nesting,
	// a root store's distrust date).
	PathRejected ID = "path-rejected"
	// NoCertificate: Check was given no certificate at all.
	NoCertificate ID = "no-certificate"
	// SearchLimit: the search for the path stopped at one of its bounds
	// (a path over 10 certificates, or thousands of certificates sharing a
	// name), so the chain is not fully judged: whether it is complete and
	// which certificates are unrelated is not reported.
	SearchLimit ID = "search-limit"
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
	ID       ID       `json:"id"`
	Severity Severity `json:"severity"`
	// Cert is the index in Report.Chain of the certificate concerned, or
	// -1 when the finding concerns no given certificate (the whole chain,
	// a trust anchor from Roots or a certificate fetched through AIA).
	Cert int `json:"cert"`
	// Subject is the subject of the certificate concerned, empty when the
	// finding concerns no single certificate.
	Subject string `json:"subject,omitempty"`
	// Message is one sentence, lower case, no final period.
	Message string `json:"message"`
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
	// WarnDays is the warning window for expiry; 0 means 30, a negative
	// number means no warning.
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
	// EarliestExpirySubject names that certificate, which may be a trust
	// anchor that was not given.
	EarliestExpirySubject string

	// Roles says what each certificate of Chain is, index for index.
	Roles []Role
	// Path is the certification path found, leaf first: certificates of
	// Chain, then any fetched through Options.Complete, then the trust
	// anchor from Roots when Chain does not include it.
	Path []PathCert
	// Trusted reports that crypto/x509 accepts Path up to an anchor of
	// Roots at Options.At for serverAuth (host names aside).
	Trusted bool
	// CompleteErr is what Options.Complete returned when it was asked to
	// complete the chain and could not (a download failed, or what it
	// fetched reaches no trusted root); nil otherwise.
	CompleteErr error
	// At is the time dates were judged at.
	At time.Time
}

// Role is what a certificate is to the chain.
type Role string

// Roles.
const (
	RoleLeaf         Role = "leaf"
	RoleIntermediate Role = "intermediate"
	RoleRoot         Role = "root"
	RoleDuplicate    Role = "duplicate" // the same certificate given earlier
	RoleUnrelated    Role = "unrelated" // not part of the path
)

// Sources of the certificates of a path besides the roots' own sources.
const (
	SourceGiven = "given" // in the chain given to Check
	SourceAIA   = "aia"   // fetched by Options.Complete
)

// PathCert is one certificate of the certification path.
type PathCert struct {
	Cert *x509.Certificate
	// Index is the certificate's index in Report.Chain, -1 when not given.
	Index int
	// Role is leaf, intermediate or root.
	Role Role
	// Source is SourceGiven, SourceAIA or the Anchor.Source of a root
	// from Options.Roots ("system", "mozilla" or a file name).
	Source string
}

// Check judges chain (leaf first, as a server would send it) and, when key
// is not nil, whether key belongs to the leaf. Certificates may come in any
// order, with duplicates and strangers: the leaf is the certificate key
// belongs to unless that one issued another given certificate, else
// chain[0] unless it issued another, else the first that is not a CA and
// issued none (always chain[0] when opts.State says it came from a live
// server). The path is built from the leaf, by name and signature, through
// the given certificates (then, if that falls short and opts.Complete is
// set, through what it fetches) to an anchor of opts.Roots. Trust is
// decided by crypto/x509 (Verify at opts.At for serverAuth); the findings
// say precisely what is wrong with which certificate.
func Check(chain []*x509.Certificate, key crypto.Signer, opts Options) *Report {
	return check(chain, key, opts).r
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

// ErrorsExcept returns the error findings whose id is not among ids. A
// test server that accepts a private root asks for ErrorsExcept(UntrustedRoot).
func (r *Report) ErrorsExcept(ids ...ID) []Finding {
	var out []Finding
	for _, f := range r.Errors() {
		if !slices.Contains(ids, f.ID) {
			out = append(out, f)
		}
	}
	return out
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

// Entry is one line of a report: a given certificate, or a certificate of
// the path that was not given (a root from Roots, an AIA download).
type Entry struct {
	Cert *x509.Certificate
	// Index is the certificate's index in Report.Chain, -1 when not given.
	Index int
	Role  Role
	// Source is SourceGiven, SourceAIA or the root's store.
	Source string
	// InPath is set for certificates of Report.Path.
	InPath bool
	// OK is false when an error finding concerns the certificate.
	OK bool
}

// Entries lists the given certificates in their order, then the path's
// certificates that were not given, each with its role and whether an
// error concerns it: what a report shows line by line.
func (r *Report) Entries() []Entry {
	var out []Entry
	for i, c := range r.Chain {
		e := Entry{Cert: c, Index: i, Role: r.Roles[i], Source: SourceGiven, OK: true}
		e.InPath = slices.ContainsFunc(r.Path, func(p PathCert) bool { return p.Index == i })
		out = append(out, e)
	}
	for _, p := range r.Path {
		if p.Index < 0 {
			out = append(out, Entry{Cert: p.Cert, Index: -1, Role: p.Role, Source: p.Source, InPath: true, OK: true})
		}
	}
	for _, f := range r.Errors() {
		for k := range out {
			if (f.Cert >= 0 && out[k].Index == f.Cert) || (f.Cert < 0 && out[k].Index < 0 && f.Subject == out[k].Cert.Subject.String()) {
				out[k].OK = false
			}
		}
	}
	return out
}
