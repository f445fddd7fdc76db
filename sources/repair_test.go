package sources

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tributary/tributary/feeds"
)

func TestStripDoctype(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"none", `<?xml version="1.0"?><rss/>`, `<?xml version="1.0"?><rss/>`},
		{"external only", `<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/rss-0.91.dtd">
<rss>&nbsp;</rss>`, `<?xml version="1.0"?>

<rss>&nbsp;</rss>`},
		{"simple entity expanded, escaped", `<!DOCTYPE r [<!ENTITY co "Acme > Co">]><r a="&co;">&co;</r>`, `<r a="Acme &gt; Co">Acme &gt; Co</r>`},
		{"nested entity dropped", `<!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><r>&b;|&a;</r>`, `<r>|x</r>`},
		{"external entity dropped", `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>[&x;]</r>`, `<r>[]</r>`},
		{"brackets and comments in subset", `<!-- c --><!DOCTYPE r [<!-- ] > --><!ENTITY q "]>">]><r>&q;</r>`, `<!-- c --><r>]&gt;</r>`},
		{"CDATA left as it is", `<!DOCTYPE r [<!ENTITY co "Acme">]><r><![CDATA[&co; & <b>]]>&co;<![CDATA[&co;]]></r>`, `<r><![CDATA[&co; & <b>]]>Acme<![CDATA[&co;]]></r>`},
		{"doctype after root ignored", `<r><!DOCTYPE x></r>`, `<r><!DOCTYPE x></r>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(stripDoctype([]byte(tt.in))); got != tt.want {
				t.Errorf("stripDoctype:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestEntityExpansionBudget: one 256-byte entity referenced 150,000 times
// in a 450 KB document would make 38 MB of text; its expansions stop at
// maxEntityExpansion, the later references giving nothing, while another
// document's entities are expanded within a budget of its own.
func TestEntityExpansionBudget(t *testing.T) {
	value := strings.Repeat("a", maxEntityValue)
	doc := []byte(`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e "` + value + `">]><rss><d>` +
		strings.Repeat("&e;", 150000) + `</d><t>&e;</t></rss>`)
	for name, out := range map[string][]byte{
		"stripDoctype":          stripDoctype(doc),
		"repairXML after junk":  repairXML(append([]byte("PHP warning\n"), doc...)),
		"prepareXML with a BOM": prepareXML(append([]byte("\xef\xbb\xbf"), doc...), ""),
	} {
		t.Run(name, func(t *testing.T) {
			if n := bytes.Count(out, []byte(value)); n != maxEntityExpansion/maxEntityValue {
				t.Errorf("%d references expanded, want %d (%d bytes of output)", n, maxEntityExpansion/maxEntityValue, len(out))
			}
			if len(out) > maxEntityExpansion+len(`<?xml version="1.0"?><rss><d></d><t></t></rss>`) {
				t.Errorf("output is %d bytes, want at most the budget and the markup", len(out))
			}
			if bytes.Contains(out, []byte("&e;")) || !bytes.HasSuffix(out, []byte("</d><t></t></rss>")) {
				t.Errorf("references past the budget are not replaced by nothing: ends %q", out[len(out)-40:])
			}
		})
	}
	again := stripDoctype([]byte(`<!DOCTYPE r [<!ENTITY co "Acme">]><r>&co;</r>`))
	if string(again) != `<r>Acme</r>` {
		t.Errorf("a second document's entity = %q, want it expanded", again)
	}
}

// TestEntityFeedIsBounded parses the feed of the entity budget's test: the
// item keeps the budget's expansion, cut to feeds.MaxContentBytes.
func TestEntityFeedIsBounded(t *testing.T) {
	doc := `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e "` + strings.Repeat("a", maxEntityValue) + `">]>
<rss version="2.0"><channel><title>T</title><link>http://example.com/</link>
<item><title>Amplified &e;</title><link>http://example.com/1</link><description>` + strings.Repeat("&e;", 150000) + `</description></item>
</channel></rss>`
	res, err := Parse([]byte(doc), "application/rss+xml", "http://example.com/feed", "s", time.Now())
	if err != nil || len(res.Articles) != 1 {
		t.Fatalf("Parse: %d articles, %v", len(res.Articles), err)
	}
	a := res.Articles[0]
	if n := len(a.Title) + len(a.Summary) + len(a.Content); n > feeds.MaxTitleRunes*4+feeds.MaxContentBytes {
		t.Errorf("the article holds %d bytes of text, want at most %d", n, feeds.MaxTitleRunes*4+feeds.MaxContentBytes)
	}
	if !strings.HasPrefix(a.Title, "Amplified aaaa") || !strings.HasPrefix(a.Summary, "aaaa") {
		t.Errorf("title %.20q, summary %.20q: want the entity expanded", a.Title, a.Summary)
	}
}

func TestRepairXML(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bare ampersand", `<t>A & B &amp; C &#38; &#x26; &copy;</t>`, `<t>A &amp; B &amp; C &#38; &#x26; &copy;</t>`},
		{"cdata untouched", `<t><![CDATA[a & b < c]]> & d</t>`, `<t><![CDATA[a & b < c]]> &amp; d</t>`},
		{"bare less-than", `<t>1 < 2 <3</t>`, `<t>1 &lt; 2 &lt;3</t>`},
		{"forbidden characters", "<t>a\x01b\x1fc\uFFFEd\xffe</t>", "<t>abcd\uFFFDe</t>"},
		{"forbidden char refs", `<t>&#0;&#x1F;&#9;&#1114112;</t>`, `<t>&#9;</t>`},
		{"junk before declaration", "Warning: <b>x</b>\n<?xml version=\"1.0\"?><rss/>", `<?xml version="1.0"?><rss/>`},
		{"junk before root", "garbage <feed xmlns=\"x\"/>", `<feed xmlns="x"/>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(repairXML([]byte(tt.in))); got != tt.want {
				t.Errorf("repairXML:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestCloseTruncated(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"complete", `<a><b/></a>`, ""},
		{"open elements", `<rss><channel><item><title>x</title></item>`, `<rss><channel><item><title>x</title></item></channel></rss>`},
		{"prefixed root", `<rdf:RDF xmlns:rdf="u"><item>x</item>`, `<rdf:RDF xmlns:rdf="u"><item>x</item></rdf:RDF>`},
		{"cut inside a tag", `<rss><channel><title>t</title><ti`, `<rss><channel><title>t</title></channel></rss>`},
		// An unfinished item or entry is dropped, not closed.
		{"cut inside an item", `<rss><channel><item><title>a</title></item><item><title>b`, `<rss><channel><item><title>a</title></item></channel></rss>`},
		{"cut inside an entry", "<feed>\n<entry><id>1</id></entry>\n<entry><title type=\"xhtml\"><div><b>cu", "<feed>\n<entry><id>1</id></entry>\n</feed>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(closeTruncated([]byte(tt.in))); got != tt.want {
				t.Errorf("closeTruncated:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestCutAfterItems(t *testing.T) {
	doc := `<rss><channel><item><description><![CDATA[</item></item></item>]]></description></item><item>2</item><item>3</item></channel></rss>`
	got := string(cutAfterItems([]byte(doc), 2))
	want := `<rss><channel><item><description><![CDATA[</item></item></item>]]></description></item><item>2</item></channel></rss>`
	if got != want {
		t.Errorf("cutAfterItems:\n got %q\nwant %q", got, want)
	}
	if got := cutAfterItems([]byte(doc), 3); !bytes.Equal(got, []byte(doc)) {
		t.Errorf("cutAfterItems with enough room changed the document: %q", got)
	}
}

func TestToUTF8(t *testing.T) {
	tests := []struct {
		name      string
		in        []byte
		doc, http string
		want      string
	}{
		{"valid utf-8 ignores labels", []byte("caf\xc3\xa9"), "iso-8859-1", "koi8-r", "café"},
		{"document label", []byte("caf\xe9"), "iso-8859-1", "", "café"},
		{"http label", []byte("caf\xe9"), "", "windows-1252", "café"},
		{"document label wins", []byte("\x93q\x94"), "windows-1252", "koi8-r", "“q”"},
		{"utf-8 label on latin-1 text", []byte("caf\xe9!"), "utf-8", "iso-8859-1", "café!"},
		{"no label on windows-1252 text", []byte("\x93caf\xe9\x94"), "", "", "“café”"},
		{"utf-8 text with one bad byte", []byte("na\xc3\xafve caf\xe9!"), "utf-8", "", "naïve caf\uFFFD!"},
		{"no label, utf-8 with one bad byte", []byte("\xe2\x80\x9cq\xe2\x80\x9d \xff"), "", "", "“q” \uFFFD"},
		{"unknown label", []byte("caf\xe9!"), "x-klingon", "", "caf\uFFFD!"},
		{"bom stripped", []byte("\xef\xbb\xbfhi"), "", "", "hi"},
		{"utf-16le bom", []byte("\xff\xfeh\x00i\x00"), "", "", "hi"},
		{"utf-16be bom", []byte("\xfe\xff\x00h\x00i"), "", "", "hi"},
		{"utf-16le no bom", []byte("<\x00?\x00x\x00"), "", "", "<?x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(toUTF8(tt.in, tt.doc, tt.http)); got != tt.want {
				t.Errorf("toUTF8 = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPrepareXMLRewritesDeclaration(t *testing.T) {
	in := []byte("<?xml version='1.1' encoding='ISO-8859-1'?><rss>caf\xe9</rss>")
	want := `<?xml version="1.0" encoding="UTF-8"?><rss>café</rss>`
	if got := string(prepareXML(in, "")); got != want {
		t.Errorf("prepareXML = %q, want %q", got, want)
	}
}
