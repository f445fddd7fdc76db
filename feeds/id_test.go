package feeds

import (
	"testing"
	"time"
)

// TestItemIDs lists every rule of id.go, in the order an item meets them:
// the id a source stores, the hash for an item with neither guid nor link,
// the id Combine publishes a story under, and the id the renderers write.
// The hashes are pinned: a changed id shows readers every item again.
func TestItemIDs(t *testing.T) {
	const date = "Mon, 02 Jan 2006 15:04:05 GMT"
	at := func(d int) time.Time { return time.Date(2024, 5, d, 9, 0, 0, 0, time.UTC) }
	// story runs storyID on copies with the ids in used already taken,
	// and checks that it takes the id it returns.
	story := func(used []string, copies ...Article) string {
		t.Helper()
		taken := make(map[string]bool, len(used))
		for _, id := range used {
			taken[id] = true
		}
		ptrs := make([]*Article, len(copies))
		for i := range copies {
			ptrs[i] = &copies[i]
		}
		id := storyID(ptrs, taken)
		if id != "" && !taken[id] {
			t.Errorf("storyID left %q unmarked", id)
		}
		return id
	}
	tests := []struct{ name, got, want string }{
		// What a source stores: the guid, else the link, else nothing.
		{"guid present", SourceItemID("post-1", "https://a.example/1"), "post-1"},
		{"guid that is a URL", SourceItemID("https://a.example/?p=1", "https://a.example/1"), "https://a.example/?p=1"},
		{"guid trimmed", SourceItemID(" \n\tpost-1 \r\n", "https://a.example/1"), "post-1"},
		{"guid without forbidden characters", SourceItemID("post\x00-\x1b1\x7f\uFFFE", ""), "post-1"},
		{"guid of invalid UTF-8", SourceItemID("post-\xff", ""), "post-\uFFFD"},
		{"guid of odd characters kept", SourceItemID("post 7/x?y#z:é", ""), "post 7/x?y#z:é"},
		{"blank guid: link", SourceItemID(" \t\n ", "https://a.example/1"), "https://a.example/1"},
		{"guid of control characters only: link", SourceItemID("\x01\x02 ", "https://a.example/1"), "https://a.example/1"},
		{"link only", SourceItemID("", "https://a.example/1"), "https://a.example/1"},
		{"no guid, no link", SourceItemID("", ""), ""},

		// No guid, no link: a hash of the title and date as written, or
		// of the text when the item has neither.
		{"hash of title and date", ContentID("Storm warning", date, "<p>v1</p>", "<p>c1</p>"), "urn:sha256:61352f16c4727b36a45ce0315acdf581"},
		{"hash ignores an edited summary and content", ContentID("Storm warning", date, "<p>v2</p>", ""), "urn:sha256:61352f16c4727b36a45ce0315acdf581"},
		{"hash trims the date", ContentID("Storm warning", "  "+date+"\n", "", ""), "urn:sha256:61352f16c4727b36a45ce0315acdf581"},
		{"hash of a date only (an enclosure-only item)", ContentID("", date, "<p>ignored</p>", ""), "urn:sha256:d51e657c20179f241a67b3df59073cb5"},
		{"hash of the summary without title or date", ContentID("", " ", "<p>A note.</p>", ""), "urn:sha256:8356d4f28b362e4aa2f45b426bdf9f9e"},
		{"hash of the content without title or date", ContentID("", "", "", "<p>A note.</p>"), "urn:sha256:1637a6e8e7e6a26bd0d1030443283a1a"},

		// What is published: ids unique by design as they are, others
		// qualified by the source.
		{"http permalink", ItemID("a", "https://a.example/p/1"), "https://a.example/p/1"},
		{"tag: id", ItemID("a", "tag:a.example,2024:1"), "tag:a.example,2024:1"},
		{"urn: id", ItemID("a", "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"), "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"},
		{"scheme of any case", ItemID("a", "HTTP://A.example/1"), "HTTP://A.example/1"},
		{"local id", ItemID("a", "1234"), "urn:tributary:guid:a:1234"},
		{"same local id, other source", ItemID("b", "1234"), "urn:tributary:guid:b:1234"},
		{"same global id, other source", ItemID("b", "https://a.example/p/1"), "https://a.example/p/1"},
		{"scheme-like local id", ItemID("a", "post:1"), "urn:tributary:guid:a:post:1"},
		{"http: without //", ItemID("a", "http:1"), "urn:tributary:guid:a:http:1"},
		{"http:// without a host", ItemID("a", "http://"), "urn:tributary:guid:a:http:%2F%2F"},
		{"urn: without a body", ItemID("a", "urn:"), "urn:tributary:guid:a:urn:"},
		{"other scheme", ItemID("a", "mailto:x@a.example"), "urn:tributary:guid:a:mailto:x@a.example"},
		{"odd characters escaped", ItemID("a", "post 7/x"), "urn:tributary:guid:a:post%207%2Fx"},
		{"more odd characters escaped", ItemID("my feed/1", "é?#;"), "urn:tributary:guid:my%20feed%2F1:%C3%A9%3F%23%3B"},
		{"id and source cleaned", ItemID(" a\x01 ", " 12\x0034\n"), "urn:tributary:guid:a:1234"},
		{"no source", ItemID("", "1234"), "urn:tributary:guid:1234"},
		{"blank id", ItemID("a", "  "), ""},

		// The story Combine publishes: the id of the copy seen first,
		// made unique in the feed.
		{"story of one copy", story(nil, Article{Source: "a", ID: "1"}), "urn:tributary:guid:a:1"},
		{"story: the copy seen first",
			story(nil, Article{Source: "b", ID: "2", FetchedAt: at(2)}, Article{Source: "a", ID: "1", FetchedAt: at(3)}, Article{Source: "c", ID: "3", FetchedAt: at(1)}),
			"urn:tributary:guid:c:3"},
		{"story: a copy without fetch time is seen last",
			story(nil, Article{Source: "a", ID: "1"}, Article{Source: "b", ID: "2", FetchedAt: at(5)}), "urn:tributary:guid:b:2"},
		{"story: ties by source",
			story(nil, Article{Source: "b", ID: "1", FetchedAt: at(1)}, Article{Source: "a", ID: "1", FetchedAt: at(1)}), "urn:tributary:guid:a:1"},
		{"story: same global id in two sources",
			story(nil, Article{Source: "a", ID: "https://a.example/p/1", FetchedAt: at(1)}, Article{Source: "b", ID: "https://a.example/p/1"}), "https://a.example/p/1"},
		{"story: id taken, another copy's",
			story([]string{"urn:tributary:guid:a:1"}, Article{Source: "a", ID: "1", FetchedAt: at(1)}, Article{Source: "b", ID: "2", FetchedAt: at(2)}),
			"urn:tributary:guid:b:2"},
		{"story: every copy's id taken, numbered",
			story([]string{"urn:tributary:guid:a:1", "urn:tributary:guid:b:2"}, Article{Source: "a", ID: "1", FetchedAt: at(1)}, Article{Source: "b", ID: "2"}),
			"urn:tributary:guid:a:1#2"},
		{"story: numbers taken, the next",
			story([]string{"https://a.example/p/1", "https://a.example/p/1#2"}, Article{Source: "a", ID: "https://a.example/p/1"}),
			"https://a.example/p/1#3"},
		{"story: blank id, another copy's",
			story(nil, Article{Source: "a", ID: " ", FetchedAt: at(1)}, Article{Source: "b", ID: "2", FetchedAt: at(2)}), "urn:tributary:guid:b:2"},
		{"story: no id at all, left to the renderer", story(nil, Article{Source: "a"}, Article{Source: "b"}), ""},

		// What the renderers write: the published id, else the link, else
		// a hash of the item as rendered.
		{"rendered local id", renderedID("a", "1234", "https://a.example/1", "T", "", ""), "urn:tributary:guid:a:1234"},
		{"rendered global id", renderedID("a", "tag:a.example,2024:1", "https://a.example/1", "T", "", ""), "tag:a.example,2024:1"},
		{"rendered without id: link", renderedID("a", " \x01", "https://a.example/1", "T", "", ""), "https://a.example/1"},
		{"rendered without id or link: hash",
			renderedID("notes", "", "", "No link, no id", "<b>bold</b> note", ""), "urn:tributary:item:106805c666e5c39666ec1c036c668d7d"},
		{"rendered hash of the text",
			renderedID("notes", "", "", "", "<p>A note.</p>", ""), "urn:tributary:item:5b0034e231b872017f6ffbeda08a1514"},

		// Atom requires an IRI.
		{"atom id of an IRI", atomID("https://a.example/1"), "https://a.example/1"},
		{"atom id of a published URN", atomID("urn:tributary:guid:a:1234"), "urn:tributary:guid:a:1234"},
		{"atom id of something else", atomID("feed 1"), "urn:tributary:guid:feed%201"},
		{"atom id of nothing", atomID(""), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEqual(t, "id", tt.got, tt.want)
		})
	}
}
