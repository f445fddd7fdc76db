package sources

// Memo is what a source remembers between runs about the URL it fetches
// and the validators it sends: the feed its configured page advertised, and
// the validators of its last successful fetch with the URL they came from.
// Its URLs are kept without credentials (see DocumentURL). Start decides
// a run's request from it, and the Run says what to remember afterwards.
type Memo struct {
	// FeedURL is the feed advertised by the configured page, fetched
	// directly from then on so that conditional GETs apply to it;
	// DiscoveredFrom is the configured URL it was found on, so that a
	// changed configuration discovers again.
	FeedURL        string
	DiscoveredFrom string
	// ValidatorsURL is the URL ETag and LastModified came from, so that a
	// source whose URL changed is not fetched with another URL's
	// validators.
	ValidatorsURL string
	ETag          string
	LastModified  string
}

// Run is one run of a source as its Memo shapes it: the request it sends
// and what it remembers after.
type Run struct {
	// Request is what the run fetches: the source, at the remembered
	// feed's URL when there is one, with the validators of the URL
	// fetched.
	Request    Request
	sourceURL  string // the configured URL
	discovered bool   // Request.URL is the remembered feed's
	// memo is m as the run found it, without the validators of another
	// URL: those must not be saved as this URL's either.
	memo Memo
}

// Start returns the run of src. A feed that the configured URL advertised
// before is fetched directly (unless src is a page to scrape), with the
// credentials of src.URL when it is on its origin (WithSourceCredentials).
// The remembered validators are sent only to the URL they came from.
func (m Memo) Start(src Source) Run {
	r := Run{Request: Request{Source: src, ETag: m.ETag, LastModified: m.LastModified}, sourceURL: src.URL, memo: m}
	r.discovered = m.FeedURL != "" && m.DiscoveredFrom == DocumentURL(src.URL) && src.Kind != KindPage
	if r.discovered {
		r.Request.URL = WithSourceCredentials(m.FeedURL, src.URL)
	}
	if m.ValidatorsURL != DocumentURL(r.Request.URL) {
		r.Request.ETag, r.Request.LastModified = "", ""
		r.memo.ETag, r.memo.LastModified = "", ""
	}
	return r
}

// Failed returns what to remember after the fetch failed. When the
// remembered feed failed, it and its validators are forgotten: the feed
// may have moved, and the configured page is asked again next time.
func (r Run) Failed() Memo {
	m := r.memo
	if r.discovered {
		m.FeedURL, m.DiscoveredFrom, m.ETag, m.LastModified = "", "", "", ""
	}
	return m
}

// Fetched returns what to remember after the fetch gave res but the run
// failed later, its articles not stored: the feed res discovered, and the
// URL fetched as the validators' URL; the validators stay those of the
// last success, so that the next run does not skip what this one could
// not store.
func (r Run) Fetched(res Result) Memo {
	m := r.memo
	if res.FeedURL != "" && res.FeedURL != r.Request.URL {
		m.FeedURL, m.DiscoveredFrom = DocumentURL(res.FeedURL), DocumentURL(r.sourceURL)
	}
	m.ValidatorsURL = DocumentURL(r.Request.URL)
	return m
}

// Succeeded returns what to remember after the run stored what res held:
// what Fetched remembers, with the validators of res. A 304 Not Modified
// without validators keeps those sent (Fetch returns them in res, unless
// the answer named new ones).
func (r Run) Succeeded(res Result) Memo {
	m := r.Fetched(res)
	if res.ETag != "" || res.LastModified != "" || !res.NotModified {
		m.ETag, m.LastModified = res.ETag, res.LastModified
	}
	return m
}
