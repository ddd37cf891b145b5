package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Defaults of AIAFetcher.
const (
	DefaultAIAMaxFetches = 8
	DefaultAIAMaxBytes   = 1 << 20
	DefaultAIATimeout    = 10 * time.Second
	DefaultAIACacheTTL   = 7 * 24 * time.Hour
)

// ErrAIALimit means the fetcher already made its maximum number of fetches.
var ErrAIALimit = errors.New("AIA fetch limit reached")

// AIAFetcher downloads issuer certificates named in certificates'
// Authority Information Access caIssuers URLs (HTTP or HTTPS; DER, PEM or
// PKCS#7 bodies), each at most MaxBytes and Timeout, at most MaxFetches
// times, keeping answers in CacheDir. The zero value fetches with the
// defaults and no cache. It is safe for concurrent use.
type AIAFetcher struct {
	// Client makes the requests; nil means a client that follows at most
	// three redirects, to http and https URLs only.
	Client *http.Client
	// CacheDir holds fetched bodies by URL hash; empty means no cache.
	CacheDir string
	// CacheTTL is how long a cached body is used; 0 means 7 days.
	CacheTTL   time.Duration
	MaxFetches int           // network fetches; 0 means 8
	MaxBytes   int64         // body size limit; 0 means 1 MiB
	Timeout    time.Duration // per fetch; 0 means 10 s
	// Progress, when set, is called before each network fetch.
	Progress func(url string)

	mu      sync.Mutex
	fetches int
	results []AIAResult
	memo    map[string]aiaAnswer
}

type aiaAnswer struct {
	certs []*x509.Certificate
	err   error
}

// AIAResult is the outcome of one AIA lookup.
type AIAResult struct {
	URL string
	// Certs is how many certificates the body held.
	Certs int
	// Cached is set when the answer came from the cache directory.
	Cached bool
	// Err is why the lookup failed, nil on success.
	Err error
}

// NewAIAFetcher returns a fetcher with the default limits that caches in
// DefaultAIACacheDir (or nowhere when there is no user cache folder).
func NewAIAFetcher() *AIAFetcher {
	dir, _ := DefaultAIACacheDir()
	return &AIAFetcher{CacheDir: dir}
}

// DefaultAIACacheDir is os.UserCacheDir()/chaintool/aia.
func DefaultAIACacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "chaintool", "aia"), nil
}

// Results returns every lookup made so far, in order.
func (f *AIAFetcher) Results() []AIAResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]AIAResult(nil), f.results...)
}

// Fetch returns the certificates at rawURL, from the cache when it holds
// a fresh copy. A URL is looked up once per fetcher.
func (f *AIAFetcher) Fetch(ctx context.Context, rawURL string) ([]*x509.Certificate, error) {
	f.mu.Lock()
	if a, ok := f.memo[rawURL]; ok {
		f.mu.Unlock()
		return a.certs, a.err
	}
	f.mu.Unlock()
	res := AIAResult{URL: rawURL}
	body, cached, err := f.body(ctx, rawURL)
	var certs []*x509.Certificate
	if err == nil {
		certs, err = aiaCertificates(body)
		if err == nil && !cached {
			f.store(rawURL, body)
		}
	}
	res.Certs, res.Cached, res.Err = len(certs), cached, err
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.memo == nil {
		f.memo = map[string]aiaAnswer{}
	}
	f.memo[rawURL] = aiaAnswer{certs, err}
	f.results = append(f.results, res)
	return certs, err
}

func (f *AIAFetcher) body(ctx context.Context, rawURL string) ([]byte, bool, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, false, errors.New("not an http or https URL")
	}
	if b := f.cached(rawURL); b != nil {
		return b, true, nil
	}
	f.mu.Lock()
	if f.fetches >= orDefault(f.MaxFetches, DefaultAIAMaxFetches) {
		f.mu.Unlock()
		return nil, false, ErrAIALimit
	}
	f.fetches++
	f.mu.Unlock()
	if f.Progress != nil {
		f.Progress(rawURL)
	}
	b, err := f.get(ctx, rawURL)
	return b, false, err
}

func (f *AIAFetcher) get(ctx context.Context, rawURL string) ([]byte, error) {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultAIATimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "chaintool")
	client := f.Client
	if client == nil {
		client = defaultAIAClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("timed out after %s", timeout)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP status %s", resp.Status)
	}
	limit := f.MaxBytes
	if limit <= 0 {
		limit = DefaultAIAMaxBytes
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("body larger than %d bytes", limit)
	}
	return b, nil
}

var defaultAIAClient = &http.Client{
	CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("too many redirects")
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return errors.New("redirect to a non-http URL")
		}
		return nil
	},
}

// aiaCertificates reads a DER, PEM or PKCS#7 body.
func aiaCertificates(body []byte) ([]*x509.Certificate, error) {
	c, err := Read(body, "AIA body", nil)
	if err != nil {
		return nil, err
	}
	if len(c.Certs) == 0 {
		return nil, errors.New("no certificate in the body")
	}
	return c.Certs, nil
}

func (f *AIAFetcher) cachePath(rawURL string) string {
	sum := sha256.Sum256([]byte(rawURL))
	return filepath.Join(f.CacheDir, hex.EncodeToString(sum[:]))
}

func (f *AIAFetcher) cached(rawURL string) []byte {
	if f.CacheDir == "" {
		return nil
	}
	path := f.cachePath(rawURL)
	st, err := os.Stat(path)
	ttl := f.CacheTTL
	if ttl <= 0 {
		ttl = DefaultAIACacheTTL
	}
	if err != nil || time.Since(st.ModTime()) > ttl || st.Size() > orDefault64(f.MaxBytes, DefaultAIAMaxBytes) {
		return nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	return b
}

// store writes body to the cache, whole-then-rename; failures only mean
// no cache.
func (f *AIAFetcher) store(rawURL string, body []byte) {
	if f.CacheDir == "" || os.MkdirAll(f.CacheDir, 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(f.CacheDir, ".tmp-*")
	if err != nil {
		return
	}
	_, err = io.Copy(tmp, bytes.NewReader(body))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.cachePath(rawURL))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
}

func orDefault(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

func orDefault64(v, d int64) int64 {
	if v <= 0 {
		return d
	}
	return v
}
