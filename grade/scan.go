package grade

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"io"
	"slices"
	"sync"
)

// accepted is one suite a server accepted in one protocol, with what its
// ServerKeyExchange said about the ephemeral key.
type accepted struct {
	Suite
	version uint16
	kex     keyExchange
}

// facts is everything the probes learnt, filled concurrently.
type facts struct {
	mu            sync.Mutex
	offered       map[uint16]bool
	suites        map[uint16][]accepted
	ssl2          []ssl2Cipher
	groups13      []uint16
	groups12      []uint16
	certKeys      map[[32]byte]KeyInfo
	chainDER      [][]byte // the first Certificate message seen
	keyOrder      [][32]byte
	renegotiation map[uint16]bool // per legacy protocol: renegotiation_info answered
	compression   bool
	sims          []Simulation
}

func newFacts() *facts {
	return &facts{
		offered:       map[uint16]bool{},
		suites:        map[uint16][]accepted{},
		certKeys:      map[[32]byte]KeyInfo{},
		renegotiation: map[uint16]bool{},
	}
}

// scanner runs every probe against one endpoint.
type scanner struct {
	p     *prober
	facts *facts
}

// run probes protocols, suites, groups, compression and the simulated
// clients, concurrently within the prober's bound.
func (sc *scanner) run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { sc.ssl2(ctx) })
	for _, v := range []uint16{VersionSSL3, VersionTLS10, VersionTLS11, VersionTLS12} {
		wg.Go(func() { sc.legacy(ctx, v) })
	}
	wg.Go(func() { sc.tls13(ctx) })
	wg.Go(func() { sc.compression(ctx) })
	for _, c := range clientProfiles {
		wg.Go(func() { sc.simulate(ctx, c) })
	}
	wg.Wait()
}

// legacyHello is the probe hello for SSL 3.0 to TLS 1.2 offering suites.
func (sc *scanner) legacyHello(v uint16, suites []uint16) *clientHello {
	h := &clientHello{
		recordVersion: min(v, VersionTLS10),
		version:       v,
		suites:        suites,
	}
	if v == VersionSSL3 {
		h.noExtensions = true
		h.suites = append(slices.Clip(suites), scsvRenegotiation)
		return h
	}
	h.serverName = sc.p.serverName
	h.groups = ecGroupsTLS12
	h.pointFormats = true
	h.renegotiation = true
	if v == VersionTLS12 {
		h.sigAlgs = sigAlgsAll
	}
	return h
}

// legacy finds whether protocol v is offered and, if so, every suite it
// accepts in it.
func (sc *scanner) legacy(ctx context.Context, v uint16) {
	all := suitesFor(v)
	f, err := sc.p.hello(ctx, sc.legacyHello(v, all))
	ok := sc.p.outcome(VersionName(v)+" probe", f, err)
	if !ok || f.hello.negotiatedVersion() != v {
		sc.setOffered(v, false)
		return
	}
	sc.setOffered(v, true)
	sc.record(v, f)
	rest := slices.DeleteFunc(slices.Clone(all), func(id uint16) bool { return id == f.hello.suite })
	var wg sync.WaitGroup
	for _, chunk := range byFamily(rest) {
		wg.Go(func() { sc.enumerate(ctx, v, chunk) })
	}
	wg.Wait()
	if v == VersionTLS12 {
		sc.curves12(ctx)
	}
}

// enumerate asks again and again, each time without the suite the server
// chose last, until it refuses.
func (sc *scanner) enumerate(ctx context.Context, v uint16, offer []uint16) {
	for len(offer) > 0 {
		var h *clientHello
		if v == VersionTLS13 {
			h = sc.tls13Hello(offer, groupsTLS13, []uint16{groupX25519})
		} else {
			h = sc.legacyHello(v, offer)
		}
		f, err := sc.p.hello(ctx, h)
		if !sc.p.outcome(VersionName(v)+" suite probe", f, err) || f.hello.negotiatedVersion() != v {
			return
		}
		i := slices.Index(offer, f.hello.suite)
		if i < 0 {
			sc.p.note(VersionName(v)+" suite probe", errors.New("the server chose a suite that was not offered"))
			return
		}
		sc.record(v, f)
		offer = slices.Delete(slices.Clone(offer), i, i+1)
	}
}

// byFamily splits suites by key exchange and authentication, so that each
// family is enumerated in parallel.
func byFamily(ids []uint16) [][]uint16 {
	groups := map[string][]uint16{}
	var order []string
	for _, id := range ids {
		s, _ := LookupSuite(id)
		fam := "other"
		switch {
		case s.Export || s.Anonymous() || s.Cipher == encNULL:
		case s.Kx == kxECDHE || s.Kx == kxDHE || s.Kx == kxRSA:
			fam = s.Kx + "-" + s.Auth
		}
		if _, ok := groups[fam]; !ok {
			order = append(order, fam)
		}
		groups[fam] = append(groups[fam], id)
	}
	out := make([][]uint16, 0, len(order))
	for _, fam := range order {
		out = append(out, groups[fam])
	}
	return out
}

// record stores what an accepted legacy or TLS 1.3 hello revealed.
func (sc *scanner) record(v uint16, f *flight) {
	s, _ := LookupSuite(f.hello.suite)
	a := accepted{Suite: s, version: v}
	if v == VersionTLS13 {
		a.kex.group = f.hello.group
	} else if f.keyExchange != nil {
		a.kex, _ = parseKeyExchange(s.Kx, f.keyExchange)
	}
	var key *KeyInfo
	var sum [32]byte
	if len(f.certs) > 0 {
		sum = sha256.Sum256(f.certs[0])
		sc.facts.mu.Lock()
		_, seen := sc.facts.certKeys[sum]
		sc.facts.mu.Unlock()
		if !seen {
			if cert, err := x509.ParseCertificate(f.certs[0]); err == nil {
				k := keyInfo(cert.PublicKey)
				key = &k
			}
		}
	}
	sc.facts.mu.Lock()
	defer sc.facts.mu.Unlock()
	if !slices.ContainsFunc(sc.facts.suites[v], func(x accepted) bool { return x.ID == a.ID }) {
		sc.facts.suites[v] = append(sc.facts.suites[v], a)
	}
	if sc.facts.chainDER == nil && len(f.certs) > 0 {
		sc.facts.chainDER = f.certs
	}
	if key != nil {
		if _, seen := sc.facts.certKeys[sum]; !seen {
			sc.facts.certKeys[sum] = *key
			sc.facts.keyOrder = append(sc.facts.keyOrder, sum)
		}
	}
	if v < VersionTLS13 && f.hello.renegotiation {
		sc.facts.renegotiation[v] = true
	}
}

func (sc *scanner) setOffered(v uint16, yes bool) {
	sc.facts.mu.Lock()
	defer sc.facts.mu.Unlock()
	sc.facts.offered[v] = yes
}

// tls13Hello is a TLS 1.3-only probe hello.
func (sc *scanner) tls13Hello(suites, groups, shares []uint16) *clientHello {
	return &clientHello{
		recordVersion: VersionTLS10,
		version:       VersionTLS12,
		sessionID:     compatSessionID(),
		suites:        suites,
		serverName:    sc.p.serverName,
		groups:        groups,
		sigAlgs:       sigAlgsAll,
		versions:      []uint16{VersionTLS13},
		keyShareExt:   true,
		shareGroups:   shares,
		pskModes:      true,
	}
}

// tls13 finds whether TLS 1.3 is offered, its suites and its groups.
func (sc *scanner) tls13(ctx context.Context) {
	all := suitesFor(VersionTLS13)
	f, err := sc.p.hello(ctx, sc.tls13Hello(all, groupsTLS13, []uint16{groupX25519}))
	if !sc.p.outcome("TLS 1.3 probe", f, err) || f.hello.negotiatedVersion() != VersionTLS13 {
		sc.setOffered(VersionTLS13, false)
		return
	}
	sc.setOffered(VersionTLS13, true)
	sc.record(VersionTLS13, f)
	var wg sync.WaitGroup
	wg.Go(func() {
		rest := slices.DeleteFunc(slices.Clone(all), func(id uint16) bool { return id == f.hello.suite })
		sc.enumerate(ctx, VersionTLS13, rest)
	})
	// One probe per group, with no key share: the server answers with a
	// HelloRetryRequest naming the group if it accepts it.
	for _, g := range groupsTLS13 {
		wg.Go(func() {
			f, err := sc.p.hello(ctx, sc.tls13Hello(all, []uint16{g}, nil))
			if sc.p.outcome("TLS 1.3 group probe", f, err) && f.hello.group == g {
				sc.facts.mu.Lock()
				sc.facts.groups13 = append(sc.facts.groups13, g)
				sc.facts.mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// curves12 finds the curves a TLS 1.2 server accepts for ECDHE, one probe
// per curve offering only ECDHE suites.
func (sc *scanner) curves12(ctx context.Context) {
	sc.facts.mu.Lock()
	var ecdhe []uint16
	for _, a := range sc.facts.suites[VersionTLS12] {
		if a.Kx == kxECDHE {
			ecdhe = append(ecdhe, a.ID)
		}
	}
	sc.facts.mu.Unlock()
	if len(ecdhe) == 0 {
		return
	}
	var wg sync.WaitGroup
	for _, g := range ecGroupsTLS12 {
		wg.Go(func() {
			h := sc.legacyHello(VersionTLS12, ecdhe)
			h.groups = []uint16{g}
			f, err := sc.p.hello(ctx, h)
			if !sc.p.outcome("TLS 1.2 curve probe", f, err) || f.keyExchange == nil {
				return
			}
			if kex, err := parseKeyExchange(kxECDHE, f.keyExchange); err == nil && kex.group == g {
				sc.facts.mu.Lock()
				sc.facts.groups12 = append(sc.facts.groups12, g)
				sc.facts.mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// ssl2 sends an SSL 2.0 CLIENT-HELLO.
func (sc *scanner) ssl2(ctx context.Context) {
	var h *ssl2ServerHello
	err := sc.p.exchange(ctx, ssl2ClientHello(), func(r io.Reader) error {
		var err error
		h, err = readSSL2ServerHello(r)
		return err
	})
	if err != nil || h == nil {
		if err != nil && !errors.Is(err, errNotSSL2) && !isClosed(err) {
			sc.p.note("SSL 2.0 probe", err)
		}
		sc.setOffered(VersionSSL2, false)
		return
	}
	var ciphers []ssl2Cipher
	for _, id := range h.ciphers {
		for _, c := range ssl2Ciphers {
			if c.ID == id {
				ciphers = append(ciphers, c)
			}
		}
	}
	sc.facts.mu.Lock()
	defer sc.facts.mu.Unlock()
	// A server that answers SSL 2.0 with no cipher cannot complete it.
	sc.facts.offered[VersionSSL2] = h.version == VersionSSL2 && len(ciphers) > 0
	sc.facts.ssl2 = ciphers
}

// compression offers DEFLATE: a server that takes it is open to CRIME.
func (sc *scanner) compression(ctx context.Context) {
	h := sc.legacyHello(VersionTLS12, suitesFor(VersionTLS12))
	h.compression = []uint8{1, 0}
	f, err := sc.p.hello(ctx, h)
	if sc.p.outcome("compression probe", f, err) && f.hello.compression != 0 {
		sc.facts.mu.Lock()
		sc.facts.compression = true
		sc.facts.mu.Unlock()
	}
}
