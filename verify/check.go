package verify

import (
	"context"
	"crypto"
	"crypto/x509"
	"slices"
	"sync"
	"time"

	"github.com/chaintool/chaintool/bundle"
)

// completeTimeout bounds Options.Complete when it ignores its own limits.
const completeTimeout = 30 * time.Second

// severities gives every id its severity.
var severities = map[ID]Severity{
	KeyMismatch: SeverityError, WrongOrder: SeverityError, BadSignature: SeverityError,
	IncompleteChain: SeverityError, UntrustedRoot: SeverityError, Expired: SeverityError,
	NotYetValid: SeverityError, HostnameMismatch: SeverityError, LeafNoServerAuth: SeverityError,
	LeafIsCA: SeverityError, IntermediateNotCA: SeverityError, WeakRSAKey: SeverityError,
	WeakSignature: SeverityError, PathRejected: SeverityError, NoCertificate: SeverityError,
	SearchLimit: SeverityError,

	ExpiresSoon: SeverityWarning, Duplicate: SeverityWarning, Unrelated: SeverityWarning,
	LeafValidityTooLong: SeverityWarning, AIANeeded: SeverityWarning,

	ContainsAnchor: SeverityInfo, OCSPStapled: SeverityInfo, NoOCSPStaple: SeverityInfo,
	Negotiated: SeverityInfo,
}

// SeverityOf returns the severity findings with id always have.
func SeverityOf(id ID) Severity { return severities[id] }

// defaultRoots is the system store plus the Mozilla roots, read once.
var defaultRoots = sync.OnceValue(func() *bundle.Roots {
	r, err := bundle.LoadRoots(nil, nil)
	if err != nil || r == nil {
		r = &bundle.Roots{}
		for _, a := range bundle.MozillaRoots() {
			r.Add(a)
		}
	}
	return r
})

func withDefaults(opts Options) Options {
	if opts.At.IsZero() {
		opts.At = time.Now()
	}
	if opts.WarnDays == 0 {
		opts.WarnDays = 30
	}
	if opts.Roots == nil {
		opts.Roots = defaultRoots()
	}
	return opts
}

// checker holds the state of one Check.
type checker struct {
	r    *Report
	opts Options
	key  crypto.Signer

	unique    []node       // the given certificates without duplicates
	leaf      node         // where the path starts
	givenPath []node       // the path through given certificates only
	path      []node       // the final path (with fetched ones)
	fetched   []node       // certificates Options.Complete brought
	explained map[int]bool // given certificates a finding already accounts for
	verified  error        // crypto/x509's verdict
	builder   *pathBuilder // candidates: given, fetched and anchors
}

// check runs Check and returns its state, which tests look into.
func check(chain []*x509.Certificate, key crypto.Signer, opts Options) *checker {
	opts = withDefaults(opts)
	r := &Report{Chain: chain, EarliestExpiryCert: -1, At: opts.At, Roles: make([]Role, len(chain))}
	if len(chain) == 0 {
		r.add(NoCertificate, -1, nil, "no certificate was given")
		return &checker{r: r}
	}
	c := &checker{r: r, opts: opts, key: key, explained: map[int]bool{}}
	c.builder = newPathBuilder(opts.Roots, opts.At, len(chain))
	c.findDuplicates()
	c.chooseLeaf()
	c.buildPath()
	c.judgeTrust()
	c.setRolesAndPath()
	c.checkKey()
	c.checkOrder()
	c.checkSignatures()
	c.checkAnchoring()
	c.checkDates()
	c.checkLeaf()
	c.checkIssuers()
	c.checkAlgorithms()
	c.checkUnrelated()
	c.checkContainsAnchor()
	c.explainRejection()
	c.connectionInfo()
	c.earliestExpiry()
	slices.SortStableFunc(r.Findings, func(a, b Finding) int { return severityRank(a.Severity) - severityRank(b.Severity) })
	return c
}

func severityRank(s Severity) int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// add appends a finding about cert (index i in Chain, or -1).
func (r *Report) add(id ID, i int, cert *x509.Certificate, msg string) {
	f := Finding{ID: id, Severity: severities[id], Cert: i, Message: msg}
	if cert != nil {
		f.Subject = cert.Subject.String()
	}
	r.Findings = append(r.Findings, f)
}

// addFor appends a finding about a path certificate.
func (c *checker) addFor(id ID, n node, msg string) { c.r.add(id, n.index, n.cert, msg) }

// findDuplicates keeps the first of identical certificates, and puts the
// others among the candidate issuers, then the anchors that were not given.
func (c *checker) findDuplicates() {
	first := make(map[string]int, len(c.r.Chain))
	for i, cert := range c.r.Chain {
		if j, ok := first[string(cert.Raw)]; ok {
			c.r.Roles[i] = RoleDuplicate
			c.r.add(Duplicate, i, cert, "certificate "+itoa(i)+" "+CertName(cert)+" is a duplicate of certificate "+itoa(j))
			continue
		}
		first[string(cert.Raw)] = i
		c.unique = append(c.unique, c.builder.addGiven(c.builder.newNode(cert, i, SourceGiven)))
	}
	c.builder.addAnchors()
}

// chooseLeaf picks the certificate the path starts from: chain[0] for a
// live server; else the certificate the key belongs to, unless it issued
// another given certificate; else chain[0] unless it issued another given
// certificate, then the first that is not a CA and issued none, then the
// first that issued none.
func (c *checker) chooseLeaf() {
	c.leaf = c.unique[0]
	if c.opts.State != nil {
		return
	}
	issues := c.builder.issuesGiven
	pick := func(ok func(node) bool) bool {
		i := slices.IndexFunc(c.unique, ok)
		if i >= 0 {
			c.leaf = c.unique[i]
		}
		return i >= 0
	}
	isCA := func(n node) bool { return n.cert.BasicConstraintsValid && n.cert.IsCA }
	switch {
	case c.key != nil && pick(func(n node) bool { return bundle.KeyMatches(n.cert, c.key) && !issues(n) }):
	case !issues(c.unique[0]):
	case pick(func(n node) bool { return !isCA(n) && !issues(n) }):
	case pick(func(n node) bool { return !issues(n) }):
	}
}

// buildPath finds the path through the given certificates and, when that
// does not reach an anchor and Options.Complete is set, through what it
// fetches.
func (c *checker) buildPath() {
	c.givenPath = c.builder.build(c.leaf)
	c.path = c.givenPath
	if c.builder.complete(c.givenPath) || c.opts.Complete == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), completeTimeout)
	defer cancel()
	got, err := c.opts.Complete(ctx, certsOf(c.givenPath))
	c.r.CompleteErr = err
	if err != nil && len(got) == 0 {
		return
	}
	for _, cert := range got {
		if cert == nil || c.isGiven(cert) {
			continue
		}
		if _, ok := c.builder.anchorOf(cert); ok {
			continue // already a candidate, as the anchor it is
		}
		n := c.builder.newNode(cert, -1, SourceAIA)
		c.fetched = append(c.fetched, n)
		c.builder.addFetched(n)
	}
	if p := c.builder.build(c.leaf); c.builder.better(p, c.path) {
		c.path = p
	}
}

func (c *checker) isGiven(cert *x509.Certificate) bool {
	return slices.ContainsFunc(c.unique, func(n node) bool { return n.cert.Equal(cert) })
}

func certsOf(path []node) []*x509.Certificate {
	out := make([]*x509.Certificate, len(path))
	for i, n := range path {
		out[i] = n.cert
	}
	return out
}

// judgeTrust asks crypto/x509 whether the leaf chains to an anchor at At
// for serverAuth with the given (and fetched) certificates. When it finds
// a path the builder missed, that path is the one reported.
func (c *checker) judgeTrust() {
	inter := x509.NewCertPool()
	for _, n := range append(slices.Clip(c.unique), c.fetched...) {
		if !n.cert.Equal(c.leaf.cert) {
			inter.AddCert(n.cert)
		}
	}
	chains, err := c.leaf.cert.Verify(x509.VerifyOptions{
		Intermediates: inter,
		Roots:         c.opts.Roots.Pool(),
		CurrentTime:   c.opts.At,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	c.verified = err
	c.r.Trusted = err == nil
	if err == nil && !c.path[len(c.path)-1].anchor && len(chains) > 0 {
		c.path = c.nodesOf(chains[0])
	}
}

// nodesOf describes a chain crypto/x509 built as path nodes.
func (c *checker) nodesOf(chain []*x509.Certificate) []node {
	out := make([]node, 0, len(chain))
	for _, cert := range chain {
		n := node{cert: cert, index: -1, pos: -1, source: SourceAIA}
		if i := slices.IndexFunc(c.unique, func(u node) bool { return u.cert.Equal(cert) }); i >= 0 {
			n = c.unique[i]
		}
		if a, ok := c.builder.anchorOf(cert); ok {
			n.anchor = true
			if n.index < 0 {
				n.source = a.Source
			}
		}
		out = append(out, n)
	}
	return out
}

// setRolesAndPath fills Report.Path and the roles of path certificates.
func (c *checker) setRolesAndPath() {
	for k, n := range c.path {
		role := RoleIntermediate
		switch {
		case k == 0:
			role = RoleLeaf
		case k == len(c.path)-1 && (n.anchor || c.builder.sigs.selfSigned(n.cert)):
			role = RoleRoot
		}
		c.r.Path = append(c.r.Path, PathCert{Cert: n.cert, Index: n.index, Role: role, Source: n.source})
		if n.index >= 0 {
			c.r.Roles[n.index] = role
		}
	}
}

// role is the role of path certificate k.
func (c *checker) role(k int) Role { return c.r.Path[k].Role }
