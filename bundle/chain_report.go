package bundle

import (
	"crypto/x509"
	"errors"
	"time"
)

// Report is the JSON account of a build, as `chaintool bundle --json`
// prints it. Its schema is documented in docs/bundle.md; fields are only
// ever added.
type Report struct {
	// OK is true when a chain was built.
	OK bool `json:"ok"`
	// Error is the one-line reason when OK is false.
	Error string `json:"error,omitempty"`
	// Chain is the chosen path, leaf first and anchor last.
	Chain []ReportCert `json:"chain"`
	// Anchor is "explicit", "store" or "input-only" (see AnchorKind).
	Anchor AnchorKind `json:"anchor,omitempty"`
	// TrustStore names the store holding the anchor.
	TrustStore string `json:"trust_store,omitempty"`
	// Files are the files written (empty when the chain went to stdout).
	Files []string `json:"files"`
	// Dropped are the input certificates left out, and why.
	Dropped []ReportDropped `json:"dropped"`
	// Alternatives are the other valid paths, best first.
	Alternatives []ReportPath `json:"alternatives"`
	// Rejected are the complete paths crypto/x509 refused.
	Rejected []ReportPath `json:"rejected"`
	// AIA lists the caIssuers lookups made.
	AIA []ReportAIA `json:"aia"`
	// Warnings repeat the warnings printed on stderr.
	Warnings []string `json:"warnings"`
	// Last is, on failure, the certificate the search stopped at.
	Last *ReportCert `json:"last,omitempty"`
	// Searched is, on failure, where Last's issuer was looked for.
	Searched []string `json:"searched,omitempty"`
}

// ReportCert is one certificate of a report.
type ReportCert struct {
	// Role is "leaf", "intermediate" or "root" (the anchor).
	Role      string    `json:"role,omitempty"`
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	SHA256    string    `json:"sha256"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	// Source is "input", "pool", "aia" or "trust-store"; From the file,
	// URL or store name.
	Source Source `json:"source,omitempty"`
	From   string `json:"from,omitempty"`
	// Written is set for the certificates put in the output.
	Written bool `json:"written"`
}

// ReportDropped is an input certificate left out.
type ReportDropped struct {
	ReportCert
	Reason DropReason `json:"reason"`
	Detail string     `json:"detail"`
}

// ReportPath is an alternative or refused path.
type ReportPath struct {
	Anchor     AnchorKind   `json:"anchor"`
	TrustStore string       `json:"trust_store,omitempty"`
	Chain      []ReportCert `json:"chain"`
	// Reason is why crypto/x509 refused it (rejected paths only).
	Reason string `json:"reason,omitempty"`
}

// ReportAIA is one caIssuers lookup.
type ReportAIA struct {
	URL          string `json:"url"`
	Certificates int    `json:"certificates"`
	Cached       bool   `json:"cached"`
	Error        string `json:"error,omitempty"`
}

// Report returns the account of the chain; includeRoot says whether the
// anchor is written.
func (c *Chain) Report(includeRoot bool) *Report {
	r := &Report{OK: true, Anchor: c.Anchor, TrustStore: c.Store, Files: []string{}, Warnings: []string{}}
	written := len(c.Served(includeRoot))
	r.Chain = pathCerts(c.Path, written)
	for _, d := range c.Dropped {
		rc := reportCert(d.Cert, "", d.Origin, false)
		r.Dropped = append(r.Dropped, ReportDropped{ReportCert: rc, Reason: d.Reason, Detail: d.Detail})
	}
	for _, p := range c.Alternatives {
		r.Alternatives = append(r.Alternatives, ReportPath{Anchor: p.Anchor, TrustStore: p.Store, Chain: pathCerts(p, 0)})
	}
	r.Rejected = rejectedPaths(c.Rejected)
	r.AIA = aiaReport(c.Fetched)
	r.fillEmpty()
	return r
}

// FailureReport returns the account of a failed build: the error and,
// for a *NoPathError, where the search stopped, what it tried and the
// impostors it found where the issuer should be.
func FailureReport(err error) *Report {
	r := &Report{Error: err.Error(), Files: []string{}, Warnings: []string{}}
	var np *NoPathError
	if errors.As(err, &np) {
		leaf := reportCert(np.Leaf, "leaf", np.LeafOrigin, false)
		r.Chain = []ReportCert{leaf}
		last := reportCert(np.Last, "", np.LastOrigin, false)
		r.Last = &last
		for i, imp := range np.Impostors {
			var o Origin
			if i < len(np.ImpostorOrigins) {
				o = np.ImpostorOrigins[i]
			}
			r.Dropped = append(r.Dropped, ReportDropped{ReportCert: reportCert(imp, "", o, false), Reason: DropImpostor,
				Detail: impostorDetail(np.Last)})
		}
		r.Searched = np.Searched
		r.Rejected = rejectedPaths(np.Rejected)
		r.AIA = aiaReport(np.Fetched)
	}
	r.fillEmpty()
	return r
}

func (r *Report) fillEmpty() {
	if r.Chain == nil {
		r.Chain = []ReportCert{}
	}
	if r.Dropped == nil {
		r.Dropped = []ReportDropped{}
	}
	if r.Alternatives == nil {
		r.Alternatives = []ReportPath{}
	}
	if r.Rejected == nil {
		r.Rejected = []ReportPath{}
	}
	if r.AIA == nil {
		r.AIA = []ReportAIA{}
	}
}

func rejectedPaths(rs []Rejection) []ReportPath {
	var out []ReportPath
	for _, rj := range rs {
		out = append(out, ReportPath{Anchor: rj.Path.Anchor, TrustStore: rj.Path.Store, Chain: pathCerts(rj.Path, 0), Reason: rj.Reason})
	}
	return out
}

func aiaReport(rs []AIAResult) []ReportAIA {
	var out []ReportAIA
	for _, f := range rs {
		a := ReportAIA{URL: f.URL, Certificates: f.Certs, Cached: f.Cached}
		if f.Err != nil {
			a.Error = f.Err.Error()
		}
		out = append(out, a)
	}
	return out
}

// pathCerts lists a path's certificates, the first `written` marked so.
func pathCerts(p Path, written int) []ReportCert {
	out := make([]ReportCert, len(p.Links))
	for i, l := range p.Links {
		role := "intermediate"
		switch {
		case i == 0:
			role = "leaf"
		case i == len(p.Links)-1:
			role = "root"
		}
		out[i] = reportCert(l.Cert, role, l.Origin, i < written)
	}
	return out
}

func reportCert(c *x509.Certificate, role string, o Origin, written bool) ReportCert {
	if c == nil {
		return ReportCert{Role: role}
	}
	return ReportCert{
		Role: role, Subject: c.Subject.String(), Issuer: c.Issuer.String(), SHA256: Fingerprint(c),
		NotBefore: c.NotBefore.UTC(), NotAfter: c.NotAfter.UTC(),
		Source: o.Source, From: o.Name, Written: written,
	}
}
