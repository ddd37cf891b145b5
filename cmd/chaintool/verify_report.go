package main

import (
	"crypto"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/verify"
)

// The verify report, as text for people and as JSON for pipelines.

// writeVerifyText prints the human report: a line per certificate, the
// findings, the earliest expiry, then "ok" or the counts.
func writeVerifyText(w io.Writer, r *verify.Report, key crypto.Signer) error {
	var b strings.Builder
	for _, row := range r.Entries() {
		expires := "expires"
		if r.At.After(row.Cert.NotAfter) {
			expires = "expired"
		}
		fmt.Fprintf(&b, "%s %-3s %-12s %s, %s %s%s\n", mark(row.OK), rowLabel(row), row.Role, verify.CertName(row.Cert),
			expires, row.Cert.NotAfter.UTC().Format("2006-01-02"), rowNote(row))
	}
	if key != nil {
		desc := bundle.SummarizeKey(key, nil).Description()
		verdict := "belongs to the leaf"
		if r.Has(verify.KeyMismatch) {
			verdict = "does not belong to the leaf"
		}
		fmt.Fprintf(&b, "%s %-3s %-12s %s private key, %s\n", mark(!r.Has(verify.KeyMismatch)), "-", "key", desc, verdict)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s: %s: %s\n", f.Severity, f.ID, f.Message)
	}
	if !r.EarliestExpiry.IsZero() {
		fmt.Fprintf(&b, "earliest expiry: %s (%s)\n", r.EarliestExpiry.UTC().Format("2006-01-02 15:04 MST"), expiryWho(r))
	}
	errs, warns := len(r.Errors()), len(r.Warnings())
	if errs+warns == 0 {
		b.WriteString("ok\n")
	} else {
		fmt.Fprintf(&b, "%s, %s\n", plural(errs, "error"), plural(warns, "warning"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// rowLabel is an entry's index, or "-" for a certificate not given.
func rowLabel(e verify.Entry) string {
	if e.Index < 0 {
		return "-"
	}
	return strconv.Itoa(e.Index)
}

// rowNote says where a certificate that was not given comes from.
func rowNote(e verify.Entry) string {
	switch e.Source {
	case verify.SourceGiven:
		return ""
	case verify.SourceAIA:
		return ", fetched through AIA, not sent"
	}
	return ", from the trust store (" + e.Source + "), not sent"
}

func expiryWho(r *verify.Report) string {
	for _, p := range r.Path {
		if p.Cert.NotAfter.Equal(r.EarliestExpiry) && p.Cert.Subject.String() == r.EarliestExpirySubject {
			return string(p.Role) + " " + verify.CertName(p.Cert)
		}
	}
	return r.EarliestExpirySubject
}

// plural counts: "1 error", "3 errors", "0 certificates".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// The JSON report; docs/verify.md documents every field.
type verifyJSON struct {
	Target                string          `json:"target"`
	Host                  string          `json:"host"`
	At                    time.Time       `json:"at"`
	OK                    bool            `json:"ok"`
	Trusted               bool            `json:"trusted"`
	Errors                int             `json:"errors"`
	Warnings              int             `json:"warnings"`
	EarliestExpiry        *time.Time      `json:"earliest_expiry"`
	EarliestExpiryCert    *int            `json:"earliest_expiry_cert"`
	EarliestExpirySubject string          `json:"earliest_expiry_subject"`
	Certificates          []certJSON      `json:"certificates"`
	Findings              []findingJSON   `json:"findings"`
	Key                   *keyJSON        `json:"key"`
	Connection            *connectionJSON `json:"connection"`
}

type keyJSON struct {
	Description string `json:"description"`
	MatchesLeaf bool   `json:"matches_leaf"`
}

type certJSON struct {
	Index *int        `json:"index"`
	Role  verify.Role `json:"role"`
	bundle.CertFacts
	SHA256 string `json:"sha256"`
	Source string `json:"source"`
	InPath bool   `json:"in_path"`
	OK     bool   `json:"ok"`
}

type findingJSON struct {
	ID       verify.ID       `json:"id"`
	Severity verify.Severity `json:"severity"`
	Cert     *int            `json:"cert"`
	Subject  string          `json:"subject"`
	Message  string          `json:"message"`
}

type connectionJSON struct {
	connectionFacts
	OCSPStapled bool `json:"ocsp_stapled"`
}

func writeVerifyJSON(w io.Writer, run *verifyRun, r *verify.Report, key crypto.Signer, strict bool) error {
	out := verifyJSON{
		Target: run.target, Host: run.opts.Host, At: r.At.UTC().Truncate(time.Second), Trusted: r.Trusted,
		Errors: len(r.Errors()), Warnings: len(r.Warnings()),
		EarliestExpiryCert: index(r.EarliestExpiryCert), EarliestExpirySubject: r.EarliestExpirySubject,
		Certificates: []certJSON{}, Findings: []findingJSON{},
	}
	out.OK = out.Errors == 0 && !(strict && out.Warnings > 0)
	if !r.EarliestExpiry.IsZero() {
		t := r.EarliestExpiry.UTC()
		out.EarliestExpiry = &t
	}
	for _, row := range r.Entries() {
		out.Certificates = append(out.Certificates, certJSON{
			Index: index(row.Index), Role: row.Role, CertFacts: bundle.FactsOf(row.Cert), SHA256: bundle.Fingerprint(row.Cert),
			Source: row.Source, InPath: row.InPath, OK: row.OK,
		})
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, findingJSON{ID: f.ID, Severity: f.Severity, Cert: index(f.Cert), Subject: f.Subject, Message: f.Message})
	}
	if key != nil {
		out.Key = &keyJSON{Description: bundle.SummarizeKey(key, nil).Description(), MatchesLeaf: !r.Has(verify.KeyMismatch)}
	}
	if run.remote != nil {
		out.Connection = &connectionJSON{connectionFacts: connectionFactsOf(run.remote), OCSPStapled: len(run.remote.State.OCSPResponse) > 0}
	}
	return writeJSON(w, out)
}

// index is i as a JSON number, or null when negative.
func index(i int) *int {
	if i < 0 {
		return nil
	}
	return &i
}
