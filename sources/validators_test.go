package sources

import "testing"

func TestMemo(t *testing.T) {
	t.Parallel()
	const (
		page  = "https://news.example/"
		feed  = "https://news.example/feed.xml"
		moved = "https://news.example/new/"
	)
	// A page remembered to advertise feed, with the feed's validators.
	discovered := Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: feed, ETag: `"f1"`, LastModified: "Mon, 01 Jan 2024 00:00:00 GMT"}
	plain := Memo{ValidatorsURL: page, ETag: `"p1"`, LastModified: "Tue, 02 Jan 2024 00:00:00 GMT"}

	type want struct {
		url, etag, lastModified string // the request
		memo                    Memo   // what the run remembers
	}
	tests := []struct {
		name string
		memo Memo
		src  Source
		// res is what the fetch gave; nil when it failed. later is set
		// when the run failed after the fetch.
		res   *Result
		later bool
		want  want
	}{
		{"first run, success", Memo{}, Source{URL: page},
			&Result{ETag: `"p1"`, LastModified: "d1"}, false,
			want{page, "", "", Memo{ValidatorsURL: page, ETag: `"p1"`, LastModified: "d1"}}},
		{"first run, failure", Memo{}, Source{URL: page}, nil, false,
			want{page, "", "", Memo{}}},
		{"configured URL, validators sent, success", plain, Source{URL: page},
			&Result{ETag: `"p2"`}, false,
			want{page, `"p1"`, plain.LastModified, Memo{ValidatorsURL: page, ETag: `"p2"`}}},
		{"configured URL, failure keeps the validators", plain, Source{URL: page}, nil, false,
			want{page, `"p1"`, plain.LastModified, plain}},
		{"success without validators forgets them", plain, Source{URL: page},
			&Result{}, false,
			want{page, `"p1"`, plain.LastModified, Memo{ValidatorsURL: page}}},
		{"configured URL changed: no validators sent", plain, Source{URL: moved},
			&Result{ETag: `"m1"`}, false,
			want{moved, "", "", Memo{ValidatorsURL: moved, ETag: `"m1"`}}},
		{"configured URL changed, failure: the old URL's validators are not kept", plain, Source{URL: moved}, nil, false,
			want{moved, "", "", Memo{ValidatorsURL: page}}},
		{"configured URL changed, later failure", plain, Source{URL: moved},
			&Result{ETag: `"m1"`}, true,
			want{moved, "", "", Memo{ValidatorsURL: moved}}},
		{"feed discovered on this run", Memo{}, Source{URL: page},
			&Result{FeedURL: feed}, false,
			want{page, "", "", Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: page}}},
		{"feed discovered on this run, later failure", plain, Source{URL: page},
			&Result{FeedURL: feed}, true,
			want{page, `"p1"`, plain.LastModified, Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: page, ETag: `"p1"`, LastModified: plain.LastModified}}},
		{"remembered feed fetched directly with its validators", discovered, Source{URL: page},
			&Result{ETag: `"f2"`, LastModified: "d2"}, false,
			want{feed, `"f1"`, discovered.LastModified, Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: feed, ETag: `"f2"`, LastModified: "d2"}}},
		{"remembered feed just discovered: the page's validators are not sent", Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: page, ETag: `"p1"`}, Source{URL: page},
			&Result{ETag: `"f1"`}, false,
			want{feed, "", "", Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: feed, ETag: `"f1"`}}},
		{"remembered feed failed: discover again", discovered, Source{URL: page}, nil, false,
			want{feed, `"f1"`, discovered.LastModified, Memo{ValidatorsURL: feed}}},
		{"remembered feed, later failure keeps it", discovered, Source{URL: page},
			&Result{ETag: `"f2"`}, true,
			want{feed, `"f1"`, discovered.LastModified, discovered}},
		{"remembered feed advertising another", discovered, Source{URL: page},
			&Result{FeedURL: "https://news.example/atom.xml"}, false,
			want{feed, `"f1"`, discovered.LastModified, Memo{FeedURL: "https://news.example/atom.xml", DiscoveredFrom: page, ValidatorsURL: feed}}},
		{"res names the URL fetched as its feed", Memo{}, Source{URL: feed},
			&Result{FeedURL: feed}, false,
			want{feed, "", "", Memo{ValidatorsURL: feed}}},
		{"configured URL changed: the feed of the old one is not fetched", discovered, Source{URL: moved},
			&Result{}, false,
			want{moved, "", "", Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: moved}}},
		{"a page to scrape is fetched itself", discovered, Source{URL: page, Kind: KindPage},
			&Result{ETag: `"p2"`}, false,
			want{page, "", "", Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: page, ETag: `"p2"`}}},
		{"a page to scrape that fails keeps the feed", discovered, Source{URL: page, Kind: KindPage}, nil, false,
			want{page, "", "", Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: feed}}},
		// Fetch returns the validators sent when a 304 names none, and a
		// new one in place of the one sent when it names it.
		{"304 with the validators sent", plain, Source{URL: page},
			&Result{NotModified: true, ETag: `"p1"`, LastModified: plain.LastModified}, false,
			want{page, `"p1"`, plain.LastModified, plain}},
		{"304 with a new validator", plain, Source{URL: page},
			&Result{NotModified: true, ETag: `"p2"`, LastModified: plain.LastModified}, false,
			want{page, `"p1"`, plain.LastModified, Memo{ValidatorsURL: page, ETag: `"p2"`, LastModified: plain.LastModified}}},
		{"304 without validators keeps what there is", Memo{ValidatorsURL: page}, Source{URL: page},
			&Result{NotModified: true}, false,
			want{page, "", "", Memo{ValidatorsURL: page}}},
		{"304 to another URL's validators keeps none", plain, Source{URL: moved},
			&Result{NotModified: true}, false,
			want{moved, "", "", Memo{ValidatorsURL: moved}}},
		// URLs are remembered without credentials and fetched with them.
		{"credentials: remembered feed fetched with them", Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: feed, ETag: `"f1"`},
			Source{URL: "https://u:pw@news.example/"},
			&Result{ETag: `"f2"`}, false,
			want{"https://u:pw@news.example/feed.xml", `"f1"`, "", Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: feed, ETag: `"f2"`}}},
		{"credentials: feed discovered", Memo{}, Source{URL: "https://u:pw@news.example/"},
			&Result{FeedURL: "https://u:pw@news.example/feed.xml"}, false,
			want{"https://u:pw@news.example/", "", "", Memo{FeedURL: feed, DiscoveredFrom: page, ValidatorsURL: page}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := tt.memo.Start(tt.src)
			req := run.Request
			if req.URL != tt.want.url || req.ETag != tt.want.etag || req.LastModified != tt.want.lastModified {
				t.Errorf("request %q, %q, %q; want %q, %q, %q", req.URL, req.ETag, req.LastModified, tt.want.url, tt.want.etag, tt.want.lastModified)
			}
			if req.Kind != tt.src.Kind {
				t.Errorf("request kind %q, want the source's %q", req.Kind, tt.src.Kind)
			}
			var got Memo
			switch {
			case tt.res == nil:
				got = run.Failed()
			case tt.later:
				got = run.Fetched(*tt.res)
			default:
				got = run.Succeeded(*tt.res)
			}
			if got != tt.want.memo {
				t.Errorf("remembers %+v\nwant       %+v", got, tt.want.memo)
			}
		})
	}
}
