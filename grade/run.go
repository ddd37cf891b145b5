package grade

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"slices"
	"sort"
	"sync"
	"time"
)

// Defaults of Options. Four probes in flight (five connections with the
// certificate check) fit the accept queue of Python's http.server (listen
// backlog 5), which otherwise drops a SYN now and then and costs the grade
// a one-second retransmission; loopback grades take tens of milliseconds.
const (
	DefaultTimeout     = 5 * time.Second
	DefaultConcurrency = 4
)

// Grade probes addr (host:port) and rates it. An error wrapping
// ErrUnreachable means no TLS handshake could be made at all.
func Grade(ctx context.Context, addr string, opts Options) (*Result, error) {
	start := time.Now()
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%s: not a host:port address", addr)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.At.IsZero() {
		opts.At = time.Now()
	}
	sni, name := opts.ServerName, opts.ServerName
	if name == "" {
		name = host
		if net.ParseIP(host) == nil {
			sni = host
		}
	}
	// The certificate check's connection doubles as the reachability test.
	conn, err := dial(ctx, addr, opts.Timeout)
	if err != nil {
		return nil, err
	}
	p := newProber(addr, sni, opts.Timeout, opts.Concurrency)
	sc := &scanner{p: p, facts: newFacts()}
	var live liveCheck
	var wg sync.WaitGroup
	wg.Go(func() { live = connect(ctx, conn, sni, hostHeader(addr, name), opts.Timeout) })
	wg.Go(func() { sc.run(ctx) })
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res := assemble(sc, live, opts, name)
	if !slices.ContainsFunc(res.Protocols, func(p Protocol) bool { return p.Offered }) && live.err != nil {
		return nil, fmt.Errorf("%s: %w: no TLS handshake succeeded (%v)", addr, ErrUnreachable, live.err)
	}
	res.Target, res.ServerName = addr, sni
	res.Probes = int(p.count.Load()) + 1
	res.DurationMS = time.Since(start).Milliseconds()
	return res, nil
}

// dial connects to addr, so that a closed port fails fast and clearly.
func dial(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %s", addr, ErrUnreachable, connError(err, timeout))
	}
	return conn, nil
}

// hostHeader is the Host of the HTTP request: the name, with the port
// unless it is 443.
func hostHeader(addr, name string) string {
	_, port, _ := net.SplitHostPort(addr)
	if port == "443" {
		return name
	}
	return net.JoinHostPort(name, port)
}

// assemble turns the facts into a rated Result.
func assemble(sc *scanner, live liveCheck, opts Options, name string) *Result {
	f := sc.facts
	f.mu.Lock()
	defer f.mu.Unlock()
	res := &Result{NotTested: slices.Clone(notTested), HSTS: live.hsts}
	for _, v := range allVersions {
		res.Protocols = append(res.Protocols, Protocol{Name: VersionName(v), Offered: f.offered[v]})
	}
	var all []accepted
	for _, v := range slices.Backward(allVersions) {
		list := f.suites[v]
		if !f.offered[v] {
			continue
		}
		sort.SliceStable(list, func(i, j int) bool {
			ri, rj := suiteRank(list[i]), suiteRank(list[j])
			if ri != rj {
				return ri > rj
			}
			return suiteIndex[list[i].ID] < suiteIndex[list[j].ID]
		})
		for _, a := range list {
			res.Suites = append(res.Suites, suiteResult(a))
		}
		all = append(all, list...)
	}
	for _, c := range f.ssl2 {
		if f.offered[VersionSSL2] {
			res.Suites = append(res.Suites, SuiteResult{Protocol: "SSL 2.0", ID: fmt.Sprintf("0x%06X", c.ID),
				Name: c.Name, OpenSSL: c.OpenSSL, Bits: c.Bits, Export: c.Export})
		}
	}
	res.KeyExchange = keyExchangeResult(f, all)
	res.Simulations = orderedSims(f.sims)
	res.Problems = problemList(sc.p)

	in := ratingInput{
		offered: f.offered, suites: all, serverKeys: res.KeyExchange.ServerKeys, sims: res.Simulations,
		compression: f.compression, renegotiation: res.KeyExchange.SecureRenegotiation, hsts: live.hsts,
	}
	if f.offered[VersionSSL2] {
		in.ssl2 = f.ssl2
	}
	chain, state := liveChain(live, f)
	if len(chain) > 0 {
		res.Certificate, in.certCaps = certificateResult(chain, opts, name, state)
		if len(in.serverKeys) == 0 {
			k := keyInfo(chain[0].PublicKey)
			in.serverKeys = []KeyInfo{k}
			res.KeyExchange.ServerKeys = in.serverKeys
		}
	} else {
		in.certCaps = []Cap{{"T", "certificate not trusted: no certificate could be read"}}
	}
	r := rate(in)
	res.Grade, res.Score = r.grade, r.score
	res.ProtocolScore, res.KeyExchangeScore, res.CipherScore = r.protocol, r.keyExchange, r.cipher
	res.Caps, res.Warnings = nonNil(r.caps), nonNil(r.warnings)
	res.Notes = nonNil(r.notes)
	if live.odd != "" {
		res.Problems = append(res.Problems, live.odd)
	}
	if len(in.serverKeys) == 0 {
		res.NotTested = append(res.NotTested, serverKeyNotTested(r.keyExchangeMeasured))
	}
	if live.err != nil {
		res.Notes = append(res.Notes, liveFailedNote(live.err, len(chain) > 0))
	}
	return res
}

// serverKeyNotTested says what the key exchange score lacks when no
// certificate (so no server key) could be read.
func serverKeyNotTested(ephemeralMeasured bool) string {
	if ephemeralMeasured {
		return "the server key (no certificate could be read): key exchange is scored on the ephemeral key alone"
	}
	return "key exchange (neither the server key nor an ephemeral key could be read): scored 0"
}

// liveFailedNote explains where the certificate came from when the
// crypto/tls connection failed.
func liveFailedNote(err error, fromProbes bool) string {
	note := "a default crypto/tls client could not connect (" + err.Error() + "): "
	if fromProbes {
		return note + "certificate read from the probes"
	}
	return note + "no certificate could be read (the probes saw none: TLS 1.3 sends it encrypted)"
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// liveChain is the chain from the crypto/tls connection, or else from the
// first probe that saw a Certificate message.
func liveChain(live liveCheck, f *facts) ([]*x509.Certificate, *tls.ConnectionState) {
	if live.err == nil && len(live.state.PeerCertificates) > 0 {
		return live.state.PeerCertificates, &live.state
	}
	var chain []*x509.Certificate
	for _, der := range f.chainDER {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			break
		}
		chain = append(chain, c)
	}
	return chain, nil
}

// suiteRank orders suites as SSL Labs lists them when the server has no
// preference: AEAD and forward secrecy first, then strength.
func suiteRank(a accepted) int {
	r := a.Bits
	if a.ForwardSecret() {
		r += 2000
	}
	if a.AEAD() {
		r += 1000
	}
	return r
}

func suiteResult(a accepted) SuiteResult {
	s := SuiteResult{
		Protocol: VersionName(a.version), ID: fmt.Sprintf("0x%04X", a.ID), Name: a.Name, OpenSSL: a.OpenSSL,
		KeyExchange: a.Kx, Authentication: a.Auth, Cipher: a.Cipher, Bits: a.Bits,
		ForwardSecrecy: a.ForwardSecret(), AEAD: a.AEAD(), Export: a.Export, DHBits: a.kex.dhBits,
	}
	if a.kex.group != 0 {
		s.Group = LookupGroup(a.kex.group).Name
	}
	return s
}

func keyExchangeResult(f *facts, all []accepted) KeyExchangeResult {
	k := KeyExchangeResult{ServerKeys: []KeyInfo{}, DHBits: []int{}, GroupsTLS13: []string{}, GroupsTLS12: []string{}}
	for _, sum := range f.keyOrder {
		k.ServerKeys = append(k.ServerKeys, f.certKeys[sum])
	}
	for _, a := range all {
		bits := a.kex.dhBits
		if g := LookupGroup(a.kex.group); g.FFDHE {
			bits = g.Bits // TLS 1.3 ffdhe group
		}
		if bits > 0 && !slices.Contains(k.DHBits, bits) {
			k.DHBits = append(k.DHBits, bits)
		}
		k.ForwardSecrecy = k.ForwardSecrecy || a.ForwardSecret()
		k.AEAD = k.AEAD || a.AEAD()
	}
	slices.Sort(k.DHBits)
	k.GroupsTLS13 = groupNames(f.groups13, groupsTLS13)
	k.GroupsTLS12 = groupNames(f.groups12, ecGroupsTLS12)
	for _, v := range []uint16{VersionSSL3, VersionTLS10, VersionTLS11, VersionTLS12} {
		if f.offered[v] {
			yes := f.renegotiation[VersionTLS12] || f.renegotiation[VersionTLS11] || f.renegotiation[VersionTLS10] || f.renegotiation[VersionSSL3]
			k.SecureRenegotiation = &yes
			break
		}
	}
	k.Compression = f.compression
	return k
}

// groupNames lists the groups found in the order of the probe list.
func groupNames(found, order []uint16) []string {
	out := []string{}
	for _, g := range order {
		if slices.Contains(found, g) {
			out = append(out, LookupGroup(g).Name)
		}
	}
	return out
}

// orderedSims returns the simulations in the order of clientProfiles.
func orderedSims(sims []Simulation) []Simulation {
	out := make([]Simulation, 0, len(sims))
	for _, c := range clientProfiles {
		for _, s := range sims {
			if s.Client == c.name {
				out = append(out, s)
			}
		}
	}
	return out
}

func problemList(p *prober) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := []string{}
	for what, n := range p.problems {
		if n > 1 {
			what += fmt.Sprintf(" (%d times)", n)
		}
		out = append(out, what)
	}
	slices.Sort(out)
	return out
}
