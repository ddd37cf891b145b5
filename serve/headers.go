package serve

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Header names the security wrapper sets, in canonical form.
const (
	headerHSTS    = "Strict-Transport-Security"
	headerNosniff = "X-Content-Type-Options"
)

// Secure wraps next so that every response it writes carries the HSTS
// header and X-Content-Type-Options: nosniff, whatever its status: pages,
// 304s, 404s, 405s, redirects and errors. A panic in next becomes a 500
// that carries them too. The header values are built once, so a request
// costs two map assignments.
func Secure(next http.Handler, hsts HSTS) http.Handler {
	return &secureHandler{next: next, hsts: []string{hsts.String()}, nosniff: []string{"nosniff"}}
}

type secureHandler struct {
	next          http.Handler
	hsts, nosniff []string
}

func (h *secureHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	// The slices are shared and full (len == cap): a later Add copies them.
	hdr[headerHSTS] = h.hsts
	hdr[headerNosniff] = h.nosniff
	defer h.recover(w)
	h.next.ServeHTTP(w, r)
}

func (h *secureHandler) recover(w http.ResponseWriter) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	hdr := w.Header()
	hdr[headerHSTS] = h.hsts
	hdr[headerNosniff] = h.nosniff
	// If the response had started, this write is ignored and the
	// connection is simply closed by net/http.
	http.Error(w, "500 internal server error", http.StatusInternalServerError)
}

// AccessLog wraps next so that each request adds one line to out once
// its response is written:
//
//	2026-11-26T10:00:00Z 127.0.0.1:51234 "GET /index.html HTTP/2.0" 200 1234 0.4ms TLSv1.3
//
// Lines are built in pooled buffers and written with one Write call each,
// under a lock, so that lines from concurrent requests never interleave.
func AccessLog(next http.Handler, out io.Writer) http.Handler {
	return &logHandler{next: next, out: out}
}

type logHandler struct {
	next http.Handler
	mu   sync.Mutex
	out  io.Writer
}

var logPool = sync.Pool{New: func() any { return &logWriter{buf: make([]byte, 0, 256)} }}

func (h *logHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	lw := logPool.Get().(*logWriter)
	lw.ResponseWriter, lw.status, lw.size = w, 0, 0
	h.next.ServeHTTP(lw, r)
	lw.buf = appendLogLine(lw.buf[:0], r, lw.status, lw.size, start)
	h.mu.Lock()
	_, _ = h.out.Write(lw.buf)
	h.mu.Unlock()
	lw.ResponseWriter = nil
	if cap(lw.buf) <= 4096 {
		logPool.Put(lw)
	}
}

func appendLogLine(b []byte, r *http.Request, status int, size int64, start time.Time) []byte {
	if status == 0 {
		status = http.StatusOK
	}
	b = start.UTC().AppendFormat(b, time.RFC3339)
	b = append(b, ' ')
	b = append(b, r.RemoteAddr...)
	b = append(b, ` "`...)
	b = appendClean(b, r.Method)
	b = append(b, ' ')
	b = appendClean(b, r.RequestURI)
	b = append(b, ' ')
	b = appendClean(b, r.Proto)
	b = append(b, `" `...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, size, 10)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, float64(time.Since(start).Microseconds())/1000, 'f', 1, 64)
	b = append(b, "ms"...)
	if r.TLS != nil {
		b = append(b, ' ')
		b = append(b, versionName(r.TLS.Version)...)
	}
	return append(b, '\n')
}

// appendClean appends s with control characters, quotes, backslashes and
// every byte outside ASCII escaped, so a request can neither forge log
// lines nor send a terminal showing the log its controls (C1 controls,
// right-to-left overrides are UTF-8 sequences).
func appendClean(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}

// logWriter records the status and size of a response.
type logWriter struct {
	http.ResponseWriter
	status int
	size   int64
	buf    []byte
}

func (w *logWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *logWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.size += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *logWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes flushes on, for handlers that stream.
func (w *logWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
