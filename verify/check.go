package verify

import (
	"crypto"
	"crypto/x509"
)

// check is the implementation behind Check.
func check(chain []*x509.Certificate, key crypto.Signer, opts Options) *Report {
	r := &Report{Chain: chain, EarliestExpiryCert: -1}
	for i, c := range chain {
		if r.EarliestExpiryCert < 0 || c.NotAfter.Before(r.EarliestExpiry) {
			r.EarliestExpiry, r.EarliestExpiryCert = c.NotAfter, i
		}
	}
	return r
}
