package verify

// The checks that turn the path into findings, one function per concern.

import (
	"crypto/x509"
	"errors"
	"slices"
	"time"

	"github.com/chaintool/chaintool/bundle"
)

// checkKey wants the key to be the leaf's, and says whose it is if not.
func (c *checker) checkKey() {
	if c.key == nil || bundle.KeyMatches(c.leaf.cert, c.key) {
		return
	}
	whose := ""
	for k, n := range c.r.Path {
		if k > 0 && bundle.KeyMatches(n.Cert, c.key) {
			whose = " but to the " + string(n.Role) + " " + CertName(n.Cert)
			break
		}
	}
	c.addFor(KeyMismatch, c.leaf, "the private key ("+keyDescription(c.key.Public())+") does not belong to the leaf "+
		CertName(c.leaf.cert)+" ("+keyDescription(c.leaf.cert.PublicKey)+")"+whose)
}

// checkOrder wants the path's given certificates first, in path order.
func (c *checker) checkOrder() {
	want := 0
	inOrder := true
	for _, n := range c.path {
		if n.index < 0 {
			continue
		}
		if c.uniquePos(n.index) != want {
			inOrder = false
		}
		want++
	}
	if inOrder {
		return
	}
	var names []string
	for _, n := range c.path {
		if n.index >= 0 {
			names = append(names, CertName(n.cert))
		}
	}
	c.r.add(WrongOrder, -1, nil, "the certificates are not in leaf → issuer order, which is "+joinList(names))
}

// uniquePos is the position of given certificate i once duplicates are gone.
func (c *checker) uniquePos(i int) int {
	return slices.IndexFunc(c.unique, func(n node) bool { return n.index == i })
}

// checkSignatures reports a certificate followed by one that has its
// issuer's name but did not sign it, and a path that stops at a given
// certificate with the right name and the wrong key.
func (c *checker) checkSignatures() {
	for k := 0; k+1 < len(c.unique); k++ {
		child, next := c.unique[k], c.unique[k+1]
		if nameIssued(next.cert, child.cert) && !c.builder.sigs.signs(next.cert, child.cert) {
			c.explained[next.index] = true
			c.addFor(BadSignature, child, CertName(child.cert)+" is not signed by the next certificate "+CertName(next.cert)+
				", which has its issuer's name but another key")
		}
	}
	top := c.givenPath[len(c.givenPath)-1]
	if c.builder.complete(c.givenPath) || c.searchCut() {
		return
	}
	for _, n := range c.unique {
		if nameIssued(n.cert, top.cert) && !c.explained[n.index] {
			c.explained[n.index] = true
			c.addFor(BadSignature, top, CertName(top.cert)+" is not signed by "+CertName(n.cert)+
				", which has its issuer's name but another key")
		}
	}
}

// nameIssued reports whether parent's name is child's issuer (and parent
// is not child itself).
func nameIssued(parent, child *x509.Certificate) bool {
	return !parent.Equal(child) && string(parent.RawSubject) == string(child.RawIssuer)
}

// checkAnchoring reports a path that stops short of a trust anchor.
func (c *checker) checkAnchoring() {
	if c.checkLimits() {
		return
	}
	top := c.givenPath[len(c.givenPath)-1]
	if !c.builder.complete(c.givenPath) {
		msg := "the chain is incomplete: the issuer of " + CertName(top.cert) + " (" + issuerName(top.cert) +
			") is neither given nor a trusted root; SSL Labs caps this at B when clients can fetch it from an AIA URL, else T"
		if err := c.r.CompleteErr; err != nil && !c.path[len(c.path)-1].anchor {
			msg += "; completing it through AIA failed: " + err.Error()
		}
		c.addFor(IncompleteChain, top, msg)
		c.reportFetched(top)
	}
	end := c.path[len(c.path)-1]
	if end.anchor || !c.builder.sigs.selfSigned(end.cert) {
		return
	}
	if len(c.path) == 1 {
		c.addFor(UntrustedRoot, end, "the leaf "+CertName(end.cert)+" is self-signed and not a trusted root")
		return
	}
	c.addFor(UntrustedRoot, end, "the root "+CertName(end.cert)+" is not a trusted root")
}

// reportFetched warns about the certificates only Options.Complete found.
func (c *checker) reportFetched(top node) {
	if !c.path[len(c.path)-1].anchor {
		return
	}
	for _, n := range c.path {
		if n.source == SourceAIA {
			c.addFor(AIANeeded, n, "the intermediate "+CertName(n.cert)+" is not sent and clients must download it from the AIA URL of "+
				CertName(top.cert)+", which strict clients do not (extra download)")
		}
	}
}

// checkDates judges every certificate of the path at At.
func (c *checker) checkDates() {
	at := c.opts.At
	soon := at.AddDate(0, 0, c.opts.WarnDays)
	for k, n := range c.path {
		what := string(c.role(k)) + " " + CertName(n.cert)
		switch {
		case at.After(n.cert.NotAfter):
			c.addFor(Expired, n, "the "+what+" expired on "+day(n.cert.NotAfter))
		case at.Before(n.cert.NotBefore):
			c.addFor(NotYetValid, n, "the "+what+" is not valid before "+day(n.cert.NotBefore))
		case n.cert.NotAfter.Before(soon):
			c.addFor(ExpiresSoon, n, "the "+what+" expires on "+day(n.cert.NotAfter)+" ("+inDays(at, n.cert.NotAfter)+")")
		}
	}
}

// Leaf policy: the CA/Browser Forum limit on validity, for certificates
// issued since it took effect.
var (
	maxLeafValidity  = 398 * 24 * time.Hour
	leafLimitStarted = time.Date(2020, time.September, 1, 0, 0, 0, 0, time.UTC)
)

func (c *checker) checkLeaf() {
	leaf := c.leaf.cert
	if c.opts.Host != "" {
		if err := leaf.VerifyHostname(c.opts.Host); err != nil {
			c.addFor(HostnameMismatch, c.leaf, "the leaf "+CertName(leaf)+" is not valid for "+c.opts.Host+" but for "+leafNames(leaf))
		}
	}
	if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageAny) {
		c.addFor(LeafNoServerAuth, c.leaf, "the leaf "+CertName(leaf)+" does not allow TLS server authentication (no serverAuth extended key usage)")
	}
	if leaf.BasicConstraintsValid && leaf.IsCA && len(c.path) > 1 {
		c.addFor(LeafIsCA, c.leaf, "the leaf "+CertName(leaf)+" is marked as a CA")
	}
	if !leaf.NotBefore.Before(leafLimitStarted) && leaf.NotAfter.Sub(leaf.NotBefore)+time.Second > maxLeafValidity {
		c.addFor(LeafValidityTooLong, c.leaf, "the leaf "+CertName(leaf)+" is valid for "+
			itoa(int(leaf.NotAfter.Sub(leaf.NotBefore).Hours()/24))+" days, over the 398 browsers accept")
	}
}

// checkIssuers wants every intermediate to be a CA allowed to sign
// certificates.
func (c *checker) checkIssuers() {
	for k := 1; k < len(c.path); k++ {
		n := c.path[k]
		if c.role(k) == RoleRoot {
			continue
		}
		switch {
		case !n.cert.BasicConstraintsValid || !n.cert.IsCA:
			c.addFor(IntermediateNotCA, n, "the intermediate "+CertName(n.cert)+" is not a CA (basic constraints)")
		case n.cert.KeyUsage != 0 && n.cert.KeyUsage&x509.KeyUsageCertSign == 0:
			c.addFor(IntermediateNotCA, n, "the intermediate "+CertName(n.cert)+" may not sign certificates (no certSign key usage)")
		}
	}
}

// checkAlgorithms flags weak RSA keys anywhere in the path and weak
// signatures on everything but the root, whose own signature nobody checks.
func (c *checker) checkAlgorithms() {
	for k, n := range c.path {
		what := string(c.role(k)) + " " + CertName(n.cert)
		if bits := rsaBits(n.cert.PublicKey); bits > 0 && bits < 2048 {
			c.addFor(WeakRSAKey, n, "the "+what+" has a "+itoa(bits)+"-bit RSA key, under 2048 bits")
		}
		if c.role(k) != RoleRoot && weakSignature(n.cert.SignatureAlgorithm) {
			c.addFor(WeakSignature, n, "the "+what+" is signed with "+n.cert.SignatureAlgorithm.String()+", which clients reject")
		}
	}
}

func weakSignature(a x509.SignatureAlgorithm) bool {
	switch a {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return true
	}
	return false
}

// checkUnrelated warns about given certificates that play no part.
func (c *checker) checkUnrelated() {
	limited := c.r.Has(SearchLimit)
	for _, n := range c.unique {
		if c.r.Roles[n.index] != "" {
			continue
		}
		c.r.Roles[n.index] = RoleUnrelated
		if !c.explained[n.index] && !limited {
			c.addFor(Unrelated, n, "certificate "+itoa(n.index)+" "+CertName(n.cert)+" is not part of the path from the leaf to its root")
		}
	}
}

// explainRejection reports crypto/x509's refusal when no other finding
// accounts for it.
func (c *checker) explainRejection() {
	if c.verified == nil {
		return
	}
	explainers := []ID{BadSignature, IncompleteChain, UntrustedRoot, Expired, NotYetValid, IntermediateNotCA, WeakSignature, SearchLimit}
	if len(c.leaf.cert.ExtKeyUsage) > 0 {
		explainers = append(explainers, LeafNoServerAuth)
	}
	for _, id := range explainers {
		if c.r.Has(id) {
			return
		}
	}
	idx, cert := -1, (*x509.Certificate)(nil)
	var invalid x509.CertificateInvalidError
	if errors.As(c.verified, &invalid) && invalid.Cert != nil {
		cert = invalid.Cert
		if i := slices.IndexFunc(c.r.Chain, func(x *x509.Certificate) bool { return x.Equal(cert) }); i >= 0 {
			idx = i
		}
	}
	c.r.add(PathRejected, idx, cert, "crypto/x509 rejects the path: "+trimX509(c.verified.Error()))
}

// connectionInfo describes a live server's handshake.
func (c *checker) connectionInfo() {
	st := c.opts.State
	if st == nil {
		return
	}
	c.r.add(Negotiated, -1, nil, "negotiated "+tlsVersionName(st.Version)+" with "+cipherSuiteName(st.CipherSuite))
	if len(st.OCSPResponse) > 0 {
		c.r.add(OCSPStapled, -1, nil, "the server staples an OCSP response ("+itoa(len(st.OCSPResponse))+" bytes)")
	} else {
		c.r.add(NoOCSPStaple, -1, nil, "the server staples no OCSP response")
	}
}

// earliestExpiry finds the first NotAfter in the path: when the site breaks.
func (c *checker) earliestExpiry() {
	for k, n := range c.path {
		if k == 0 || n.cert.NotAfter.Before(c.r.EarliestExpiry) {
			c.r.EarliestExpiry = n.cert.NotAfter
			c.r.EarliestExpiryCert = n.index
			c.r.EarliestExpirySubject = n.cert.Subject.String()
		}
	}
}

// checkContainsAnchor notes a chain that sends its root, which clients
// ignore: they must already have it.
func (c *checker) checkContainsAnchor() {
	end := c.path[len(c.path)-1]
	if len(c.path) > 1 && end.index >= 0 && c.role(len(c.path)-1) == RoleRoot {
		c.addFor(ContainsAnchor, end, "the root "+CertName(end.cert)+" is sent, which clients ignore (SSL Labs: contains anchor)")
	}
}
