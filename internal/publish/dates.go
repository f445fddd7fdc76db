package publish

import (
	"sync"
	"time"
)

// Dates remembers, for each feed and format, the Last-Modified a Publisher
// last served and the ETag of the bytes it served with it, so that other
// bytes are never served with a second already served (see
// Rendering.Modified). A daemon passes one Dates to the Publisher of each
// configuration it loads: after a reload the old Publisher still answers
// the requests it had begun, and the two date through the same memory, so
// neither reuses a second the other served with other bytes. The zero
// value is ready to use, and it is safe for concurrent use. It holds one
// entry per feed name and format it dated.
type Dates struct {
	mu   sync.Mutex
	last map[cacheKey]served
}

// served is the last date handed out for one feed in one format, and the
// ETag of the bytes it was handed out with.
type served struct {
	etag string
	mod  time.Time
}

// date returns the Last-Modified to serve key's bytes tagged etag with,
// and remembers it: the last one served when the bytes are the same, else
// the later of from (a whole second) and a second after the last one.
//
// Every date handed out for some bytes is thus earlier than the one handed
// out next for other bytes, whatever order the renderings were made in:
// a request that read the store just before a change committed (a
// `tributary fetch` in another process reads its change time under the
// write lock, possibly before this daemon read the version it rendered)
// may be served old bytes with a date as late as the change's own second,
// and the new bytes still get a later one.
func (d *Dates) date(key cacheKey, etag string, from time.Time) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	last, ok := d.last[key]
	if ok && last.etag == etag {
		return last.mod
	}
	if ok && !from.After(last.mod) {
		from = last.mod.Add(time.Second)
	}
	if d.last == nil {
		d.last = map[cacheKey]served{}
	}
	d.last[key] = served{etag: etag, mod: from}
	return from
}
