package bundle_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chaintool/chaintool/bundle"
	"github.com/chaintool/chaintool/internal/testpki"
	"github.com/smallstep/pkcs7"
)

// aiaServer serves bodies by path on a loopback httptest server and
// counts the requests.
type aiaServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies map[string][]byte
	delay  time.Duration
	hits   atomic.Int32
}

func newAIAServer(t *testing.T, tls bool) *aiaServer {
	s := &aiaServer{bodies: map[string][]byte{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		body, ok := s.bodies[r.URL.Path]
		delay := s.delay
		s.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	})
	if tls {
		s.Server = httptest.NewTLSServer(h)
	} else {
		s.Server = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

func (s *aiaServer) serve(path string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies[path] = body
}

// aiaPKI is root -> i1 -> i2 -> leaf where i2 and the leaf name their
// issuers' URLs on the server.
type aiaPKI struct {
	root, i1, i2, leaf *testpki.Cert
}

func newAIAPKI(s *aiaServer) *aiaPKI {
	root := testpki.NewRoot("AIA Root")
	i1 := root.NewIntermediate("AIA Intermediate 1")
	i2 := i1.NewIntermediate("AIA Intermediate 2", testpki.AIA(s.URL+"/i1.cer"))
	leaf := i2.NewLeaf("aia.example.com", testpki.AIA(s.URL+"/i2.cer"))
	return &aiaPKI{root, i1, i2, leaf}
}

func (p *aiaPKI) build(t *testing.T, f *bundle.AIAFetcher, inputs ...*testpki.Cert) (*bundle.Chain, error) {
	t.Helper()
	pile := bundle.PileOf("in.pem", testpki.X509(inputs...)...)
	return bundle.Build(context.Background(), pile, nil, bundle.BuildOptions{Roots: rootsOf(p.root), At: testpki.Now, AIA: f})
}

func TestAIABodies(t *testing.T) {
	s := newAIAServer(t, false)
	p := newAIAPKI(s)
	p7, err := pkcs7.DegenerateCertificate(p.i2.DER())
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"der": p.i2.DER(), "pem": p.i2.PEM(), "pkcs7": p7} {
		t.Run(name, func(t *testing.T) {
			s.serve("/i2.cer", body)
			c, err := p.build(t, &bundle.AIAFetcher{}, p.leaf, p.i1)
			if err != nil {
				t.Fatal(err)
			}
			assertChain(t, c, cs(p.leaf, p.i2, p.i1, p.root))
			if o := c.Links[1].Origin; o.Source != bundle.SourceAIA || o.Name != s.URL+"/i2.cer" {
				t.Errorf("origin %v", o)
			}
		})
	}
}

func TestAIATwoLevelsOverHTTPSWithCache(t *testing.T) {
	s := newAIAServer(t, true)
	p := newAIAPKI(s)
	s.serve("/i2.cer", p.i2.DER())
	s.serve("/i1.cer", p.i1.DER())
	dir := filepath.Join(t.TempDir(), "cache")
	f := &bundle.AIAFetcher{Client: s.Client(), CacheDir: dir}
	var progress []string
	f.Progress = func(u string) { progress = append(progress, u) }
	c, err := p.build(t, f, p.leaf)
	if err != nil {
		t.Fatal(err)
	}
	assertChain(t, c, cs(p.leaf, p.i2, p.i1, p.root))
	if len(progress) != 2 || s.hits.Load() != 2 || len(c.Fetched) != 2 {
		t.Fatalf("progress %v, hits %d, fetched %d", progress, s.hits.Load(), len(c.Fetched))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("cache holds %d files, want 2", len(entries))
	}
	// A second run is answered from the cache, without a request.
	c, err = p.build(t, &bundle.AIAFetcher{Client: s.Client(), CacheDir: dir}, p.leaf)
	if err != nil {
		t.Fatal(err)
	}
	if s.hits.Load() != 2 || !c.Fetched[0].Cached {
		t.Errorf("hits %d, cached %v", s.hits.Load(), c.Fetched[0].Cached)
	}
}

func TestAIAFailures(t *testing.T) {
	s := newAIAServer(t, false)
	p := newAIAPKI(s)
	tests := map[string]struct {
		setup   func()
		fetcher *bundle.AIAFetcher
		want    string
	}{
		"not found": {setup: func() {}, fetcher: &bundle.AIAFetcher{}, want: "404"},
		"too large": {setup: func() { s.serve("/i2.cer", bytes.Repeat([]byte{'x'}, 1<<20+1)) },
			fetcher: &bundle.AIAFetcher{}, want: "larger than 1048576 bytes"},
		"not a certificate": {setup: func() { s.serve("/i2.cer", []byte("<html>moved</html>")) },
			fetcher: &bundle.AIAFetcher{}, want: "not a certificate"},
		"fetch limit": {setup: func() { s.serve("/i2.cer", p.i2.DER()) },
			fetcher: &bundle.AIAFetcher{MaxFetches: 1}, want: "limit"},
		"timeout": {setup: func() { s.serve("/i2.cer", p.i2.DER()); s.delay = 2 * time.Second },
			fetcher: &bundle.AIAFetcher{Timeout: 100 * time.Millisecond}, want: "timed out"},
		"offline": {setup: func() {}, want: "not fetched, offline"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s.mu.Lock()
			s.bodies, s.delay = map[string][]byte{}, 0
			s.mu.Unlock()
			tc.setup()
			var f *bundle.AIAFetcher
			if tc.fetcher != nil {
				f = tc.fetcher
			}
			_, err := p.build(t, f, p.leaf)
			if !errors.Is(err, bundle.ErrNoPath) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// TestAIANotNeeded checks that a complete pile fetches nothing.
func TestAIANotNeeded(t *testing.T) {
	s := newAIAServer(t, false)
	p := newAIAPKI(s)
	if _, err := p.build(t, &bundle.AIAFetcher{}, p.leaf, p.i2, p.i1); err != nil {
		t.Fatal(err)
	}
	if s.hits.Load() != 0 {
		t.Errorf("%d requests for a complete pile", s.hits.Load())
	}
}
