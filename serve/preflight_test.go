package serve

import (
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
	"github.com/chaintool/chaintool/verify"
)

func TestPreflight(t *testing.T) {
	at := time.Now()
	valid := testpki.Validity(at.Add(-time.Hour), at.Add(60*24*time.Hour))
	root := testpki.NewRoot("Preflight Root", testpki.Validity(at.AddDate(-1, 0, 0), at.AddDate(5, 0, 0)))
	inter := root.NewIntermediate("Preflight Intermediate", testpki.Validity(at.AddDate(-1, 0, 0), at.AddDate(4, 0, 0)))
	leaf := inter.NewLeaf("localhost", valid)
	expired := inter.NewLeaf("localhost", testpki.Validity(at.AddDate(0, 0, -90), at.AddDate(0, 0, -1)))
	stranger := &testpki.Cert{Key: testpki.NewKey(testpki.ECDSAP256)}
	roots := &bundle.Roots{}
	roots.Add(bundle.Anchor{Cert: root.Cert, Source: "test"})
	for _, tc := range []struct {
		name     string
		cert     *Certificate
		roots    *bundle.Roots
		blocking verify.ID // "" when serving may go on
	}{
		{"good", &Certificate{Chain: testpki.X509(leaf, inter), Key: leaf.Key}, roots, ""},
		{"private root sent", &Certificate{Chain: testpki.X509(leaf, inter, root), Key: leaf.Key}, &bundle.Roots{}, ""},
		{"key mismatch", &Certificate{Chain: testpki.X509(leaf, inter), Key: stranger.Key}, roots, verify.KeyMismatch},
		{"wrong order", &Certificate{Chain: testpki.X509(inter, leaf), Key: leaf.Key}, roots, verify.WrongOrder},
		{"missing intermediate", &Certificate{Chain: testpki.X509(leaf), Key: leaf.Key}, roots, verify.IncompleteChain},
		{"expired", &Certificate{Chain: testpki.X509(expired, inter), Key: expired.Key}, roots, verify.Expired},
	} {
		pf := Check(tc.cert, tc.roots)
		blocked := false
		for _, f := range pf.Blocking {
			if f.ID == tc.blocking {
				blocked = true
			}
		}
		if tc.blocking == "" && len(pf.Blocking) > 0 || tc.blocking != "" && !blocked {
			t.Errorf("%s: blocking %v, want %q", tc.name, pf.Blocking, tc.blocking)
		}
		if tc.blocking == "" {
			if _, ok := pf.Trust.Contains(root.Cert); !ok {
				t.Errorf("%s: Trust lacks the root the chain ends at", tc.name)
			}
		}
	}
	if pf := Check(&Certificate{Chain: testpki.X509(leaf, inter, root), Key: leaf.Key}, &bundle.Roots{}); !pf.Report.Has(verify.UntrustedRoot) {
		t.Error("a private root sent in the bundle is not reported untrusted")
	}
}

func TestCurlCommand(t *testing.T) {
	s := startTest(t, Options{})
	want := "curl --cacert '/tmp/my root.pem' https://127.0.0.1:" + port(s) + "/"
	if got := s.CurlCommand("/tmp/my root.pem"); got != want {
		t.Errorf("CurlCommand = %q, want %q", got, want)
	}
	root := testpki.NewRoot("Example Root")
	leaf := root.NewLeaf("www.example.com", testpki.Validity(time.Now().Add(-time.Hour), time.Now().Add(time.Hour)))
	other, err := Start(&Certificate{Chain: testpki.X509(leaf), Key: leaf.Key}, Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	p := port(other)
	want = "curl --resolve www.example.com:" + p + ":127.0.0.1 https://www.example.com:" + p + "/"
	if got := other.CurlCommand(""); got != want {
		t.Errorf("CurlCommand = %q, want %q", got, want)
	}
}
