package verify

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
)

type realCase struct {
	name          string
	host          string
	at            time.Time
	leaf          []byte
	intermediates []byte
	roots         *bundle.Roots
}

func loadRealworld(t *testing.T) []realCase {
	t.Helper()
	var out []realCase
	for _, rw := range testpki.LoadRealWorld(t) {
		roots, err := bundle.LoadRoots([]string{rw.File("root.pem")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err1 := os.ReadFile(rw.File("leaf.pem"))
		inter, err2 := os.ReadFile(rw.File("intermediates.pem"))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		out = append(out, realCase{name: rw.Name, host: rw.Host, at: rw.At, leaf: leaf, intermediates: inter, roots: roots})
	}
	return out
}

func (c realCase) check(t *testing.T, withIntermediates bool, host string, at time.Time) *Report {
	t.Helper()
	data := c.leaf
	if withIntermediates {
		data = append(slices.Clip(data), c.intermediates...)
	}
	got, err := bundle.Read(data, c.name, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Check(got.Certs, nil, Options{Roots: c.roots, Host: host, At: at})
}

func TestRealworldChains(t *testing.T) {
	for _, c := range loadRealworld(t) {
		t.Run(c.name, func(t *testing.T) {
			r := c.check(t, true, c.host, c.at)
			if errs := r.Errors(); len(errs) != 0 || !r.Trusted {
				t.Errorf("at %v for %s: trusted %v, errors %v", c.at, c.host, r.Trusted, errs)
			}
			t.Logf("findings %v, earliest expiry %v", ids(r), r.EarliestExpiry)
			if r.EarliestExpiry.IsZero() || r.EarliestExpiry.Before(c.at) {
				t.Errorf("earliest expiry %v", r.EarliestExpiry)
			}
			if r := c.check(t, true, "wrong-host.example", c.at); !r.Has(HostnameMismatch) || len(r.Errors()) != 1 {
				t.Errorf("other host: %v", ids(r))
			}
			if r := c.check(t, true, c.host, c.at.AddDate(10, 0, 0)); !r.Has(Expired) {
				t.Errorf("ten years later: %v", ids(r))
			}
			r = c.check(t, false, c.host, c.at)
			if !r.Has(IncompleteChain) || r.Trusted {
				t.Errorf("without intermediates: %v", ids(r))
			}
			if f := finding(t, r, IncompleteChain); f.Cert != 0 {
				t.Errorf("incomplete finding %+v", f)
			}
		})
	}
}
