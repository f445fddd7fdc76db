package feeds

import (
	"encoding/json"
	"strings"
	"testing"
)

// pagedFeed is richFeed as page 2 of 3.
func pagedFeed() Feed {
	f := richFeed()
	f.SelfURL = "https://feeds.example/feeds/all.atom?page=2"
	f.Paging = Paging{First: "https://feeds.example/feeds/all.atom", Previous: "https://feeds.example/feeds/all.atom",
		Next: "https://feeds.example/feeds/all.atom?page=3"}
	return f
}

// TestPagingLinks: a page links first, previous and next as RFC 5005
// says, in each format's own way; a feed that is not paged links none.
func TestPagingLinks(t *testing.T) {
	f := pagedFeed()
	atom := string(render(t, f, Atom))
	rss := string(render(t, f, RSS))
	for _, want := range []string{
		`<link href="https://feeds.example/feeds/all.atom" rel="first" type="application/atom+xml"></link>`,
		`<link href="https://feeds.example/feeds/all.atom" rel="previous" type="application/atom+xml"></link>`,
		`<link href="https://feeds.example/feeds/all.atom?page=3" rel="next" type="application/atom+xml"></link>`,
	} {
		if !strings.Contains(atom, want) {
			t.Errorf("atom lacks %s:\n%s", want, atom)
		}
		if want := strings.NewReplacer("<link", "<atom:link", "</link>", "</atom:link>", "application/atom+xml", "application/rss+xml").Replace(want); !strings.Contains(rss, want) {
			t.Errorf("rss lacks %s:\n%s", want, rss)
		}
	}
	var jf struct {
		Next string `json:"next_url"`
		Ext  struct {
			First    string `json:"first_url"`
			Previous string `json:"previous_url"`
		} `json:"_tributary"`
	}
	if err := json.Unmarshal(render(t, f, JSON), &jf); err != nil {
		t.Fatal(err)
	}
	if jf.Next != f.Paging.Next || jf.Ext.First != f.Paging.First || jf.Ext.Previous != f.Paging.Previous {
		t.Errorf("json paging %+v", jf)
	}
	f.Paging = Paging{}
	for _, format := range AllFormats() {
		b := string(render(t, f, format))
		for _, rel := range []string{`"first"`, `"previous"`, `"next"`, `next_url`, `first_url`} {
			if strings.Contains(b, rel) {
				t.Errorf("%s not paged, yet has %s", format, rel)
			}
		}
	}
}
