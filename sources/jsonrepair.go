package sources

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/mmcdole/gofeed"
	jsonfeed "github.com/mmcdole/gofeed/json"
)

// The code in this file repairs JSON Feed documents for gofeed, as repair.go
// does for XML. gofeed decodes JSON Feed into typed structs, where one field
// of the wrong type ("tags": "news") fails the whole document: once gofeed
// has rejected a document, repairJSON walks the fields gofeed reads (JSON
// Feed 1.0 and 1.1) and gives each the type gofeed expects, so that one bad
// field costs at most that field. A null in a list of items or authors
// decodes without error but makes gofeed's translator panic: nullSafeJSON
// removes them from every JSON document. Repairing every document instead
// would cost a good feed about a quarter more memory and allocations
// (BenchmarkRepairJSON against BenchmarkParseJSON).

// maxDropped bounds the fields repairJSON names in Result.Dropped.
const maxDropped = 20

// jsonKind is the type of a JSON value, read from its first byte.
type jsonKind int

const (
	jsonNull jsonKind = iota
	jsonString
	jsonNumber
	jsonBool
	jsonObject
	jsonArray
)

var jsonKindNames = [...]string{"null", "string", "number", "boolean", "object", "list"}

func (k jsonKind) String() string { return jsonKindNames[k] }

// kindOf returns the kind of the well-formed JSON value v.
func kindOf(v json.RawMessage) jsonKind {
	v = bytes.TrimLeft(v, " \t\r\n")
	if len(v) == 0 {
		return jsonNull
	}
	switch v[0] {
	case '"':
		return jsonString
	case '{':
		return jsonObject
	case '[':
		return jsonArray
	case 't', 'f':
		return jsonBool
	case 'n':
		return jsonNull
	}
	return jsonNumber
}

// fieldType is what gofeed expects of a field.
type fieldType int

const (
	typeAny         fieldType = iota // anything: gofeed coerces it itself (id, expired, sizes)
	typeString                       // a string; a number is written as one
	typeAuthor                       // an author object; a string is its name
	typeItem                         // an item object
	typeAttachment                   // an attachment object
	typeStrings                      // a list of strings (tags)
	typeAuthors                      // a list of authors
	typeItems                        // the list of items
	typeAttachments                  // a list of attachments
)

// elemType is the type of the elements of each list type.
var elemType = map[fieldType]fieldType{
	typeStrings: typeString, typeAuthors: typeAuthor, typeItems: typeItem, typeAttachments: typeAttachment,
}

// The fields gofeed reads, by object, keyed by lowercase name: like
// encoding/json, gofeed matches names without regard to case. Fields it
// does not read (hubs, extensions) are left alone.
var (
	feedFields = map[string]fieldType{
		"version": typeString, "title": typeString, "home_page_url": typeString, "feed_url": typeString,
		"description": typeString, "user_comment": typeString, "next_url": typeString, "icon": typeString,
		"favicon": typeString, "language": typeString, "expired": typeAny,
		"author": typeAuthor, "authors": typeAuthors, "items": typeItems,
	}
	itemFields = map[string]fieldType{
		"id": typeAny, "url": typeString, "external_url": typeString, "title": typeString,
		"content_html": typeString, "content_text": typeString, "summary": typeString, "image": typeString,
		"banner_image": typeString, "date_published": typeString, "date_modified": typeString,
		"language": typeString, "author": typeAuthor, "authors": typeAuthors, "tags": typeStrings,
		"attachments": typeAttachments,
	}
	authorFields     = map[string]fieldType{"name": typeString, "url": typeString, "avatar": typeString}
	attachmentFields = map[string]fieldType{
		"url": typeString, "mime_type": typeString, "title": typeString,
		"size_in_bytes": typeAny, "duration_in_seconds": typeAny,
	}
)

// jsonRepair gathers what repairJSON dropped.
type jsonRepair struct {
	dropped []string // the first maxDropped
}

// repairJSON returns data with every field gofeed reads given the type it
// expects: a string, number or object where a list is expected becomes a
// one-element list, a number where a string is expected becomes that
// string, a string where an author object is expected becomes the author's
// name; a null in a list is removed, and a field or list element that still
// has the wrong type is dropped and named in dropped ("items[2].tags:
// boolean"). The objects it walks are written anew, which also leaves one
// of each repeated name. A value nested deeper than maxJSONDepth, which
// encoding/json would refuse with the whole document, is null (see
// pruneDeepJSON). A document that is not a JSON object is returned as it
// is, for gofeed to report.
func repairJSON(data []byte) (out []byte, dropped []string) {
	var r jsonRepair
	data = pruneDeepJSON(data, maxJSONDepth)
	if fixed, ok := r.object(data, "", feedFields); ok {
		return fixed, r.dropped
	}
	return data, r.dropped
}

// drop records that the value at path was dropped for being of kind k.
func (r *jsonRepair) drop(path string, k jsonKind) {
	if len(r.dropped) < maxDropped {
		r.dropped = append(r.dropped, path+": "+k.String())
	}
}

// object repairs the fields of the JSON object v at path, described by
// fields, and returns the object written anew; ok is false when v is not an
// object. Writing it anew, rather than only when a field changed, settles
// a name given twice: gofeed reads each occurrence, a map only the last.
func (r *jsonRepair) object(v json.RawMessage, path string, fields map[string]fieldType) (fixed json.RawMessage, ok bool) {
	var m map[string]json.RawMessage
	if kindOf(v) != jsonObject || json.Unmarshal(v, &m) != nil {
		return nil, false
	}
	for key, val := range m {
		t, known := fields[strings.ToLower(key)]
		if !known {
			continue
		}
		p := key
		if path != "" {
			p = path + "." + key
		}
		fixed, keep := r.value(val, p, t)
		switch {
		case !keep:
			delete(m, key)
		case fixed != nil:
			m[key] = fixed
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		return nil, false
	}
	return out, true
}

// value repairs v, the value at path, which should be of type t. It
// returns the repaired value, nil when v is fine as it is; keep is false
// when v has to go.
func (r *jsonRepair) value(v json.RawMessage, path string, t fieldType) (fixed json.RawMessage, keep bool) {
	k := kindOf(v)
	if k == jsonNull || t == typeAny {
		return nil, true
	}
	switch t {
	case typeString:
		switch k {
		case jsonString:
			return nil, true
		case jsonNumber:
			s, err := json.Marshal(string(bytes.TrimSpace(v)))
			return s, err == nil
		}
	case typeAuthor:
		switch k {
		case jsonString, jsonNumber:
			name, _ := r.value(v, path, typeString)
			if name == nil {
				name = v
			}
			return json.RawMessage(`{"name":` + string(name) + `}`), true
		case jsonObject:
			return r.object(v, path, authorFields)
		}
	case typeItem:
		if k == jsonObject {
			return r.object(v, path, itemFields)
		}
	case typeAttachment:
		if k == jsonObject {
			return r.object(v, path, attachmentFields)
		}
	default:
		return r.list(v, path, elemType[t])
	}
	r.drop(path, k)
	return nil, false
}

// list repairs v, the value at path, which should be a list of elements of
// type t; any other value is taken as a list of one element. Nulls are
// removed: gofeed panics on a null item or author.
func (r *jsonRepair) list(v json.RawMessage, path string, t fieldType) (fixed json.RawMessage, keep bool) {
	var elems []json.RawMessage
	wrapped := kindOf(v) != jsonArray
	if wrapped {
		elems = []json.RawMessage{v}
	} else if json.Unmarshal(v, &elems) != nil {
		return nil, false
	}
	changed := wrapped
	kept := elems[:0]
	for i, e := range elems {
		p := path
		if !wrapped {
			p += "[" + strconv.Itoa(i) + "]"
		}
		if kindOf(e) == jsonNull {
			changed = true
			continue
		}
		fixed, keep := r.value(e, p, t)
		if !keep {
			changed = true
			continue
		}
		if fixed != nil {
			e, changed = fixed, true
		}
		kept = append(kept, e)
	}
	if !changed {
		return nil, true
	}
	out, err := json.Marshal(kept)
	return out, err == nil
}

// nullSafeJSON is gofeed's JSON Feed translator, with the null items and
// authors it would dereference removed first.
type nullSafeJSON struct{ gofeed.DefaultJSONTranslator }

// Translate removes the nil items and authors of feed, a *jsonfeed.Feed,
// and translates it.
func (t nullSafeJSON) Translate(feed any) (*gofeed.Feed, error) {
	if jf, ok := feed.(*jsonfeed.Feed); ok {
		jf.Items = slices.DeleteFunc(jf.Items, func(it *jsonfeed.Item) bool { return it == nil })
		jf.Authors = slices.DeleteFunc(jf.Authors, func(a *jsonfeed.Author) bool { return a == nil })
		for _, it := range jf.Items {
			it.Authors = slices.DeleteFunc(it.Authors, func(a *jsonfeed.Author) bool { return a == nil })
		}
	}
	return t.DefaultJSONTranslator.Translate(feed)
}

// cutJSONItems bounds the work on huge JSON Feeds as cutAfterItems does on
// XML: when the top-level "items" list of data (every occurrence of the
// name, in any case, as gofeed matches names) holds more than n elements,
// it returns the document with each such list cut after its n-th element;
// otherwise, or when data is not a well-formed JSON object, it returns data
// unchanged. gofeed decodes and translates every item before any is
// dropped: a 15 MiB feed of a million tiny items cost a gigabyte.
func cutJSONItems(data []byte, n int) []byte {
	if n <= 0 || bytes.Count(data, []byte(",")) < n {
		return data
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return data
	}
	type cut struct{ from, to int64 }
	var cuts []cut
	var skip json.RawMessage
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return data
		}
		name, _ := key.(string)
		if !strings.EqualFold(name, "items") || !bytes.HasPrefix(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n:"), []byte("[")) {
			if err := dec.Decode(&skip); err != nil {
				return data
			}
			continue
		}
		if _, err := dec.Token(); err != nil { // [
			return data
		}
		for i := 0; i < n && dec.More(); i++ {
			if err := dec.Decode(&skip); err != nil {
				return data
			}
		}
		from := dec.InputOffset()
		if !dec.More() {
			if _, err := dec.Token(); err != nil { // ]
				return data
			}
			continue
		}
		for dec.More() {
			if err := dec.Decode(&skip); err != nil {
				return data
			}
		}
		if _, err := dec.Token(); err != nil { // ]
			return data
		}
		cuts = append(cuts, cut{from, dec.InputOffset() - 1})
	}
	if _, err := dec.Token(); err != nil || len(cuts) == 0 { // }
		return data
	}
	out := make([]byte, 0, len(data))
	last := int64(0)
	for _, c := range cuts {
		out = append(out, data[last:c.from]...)
		last = c.to
	}
	return append(out, data[last:]...)
}

// maxJSONDepth is the nesting repairJSON keeps: far beyond the four levels
// of the fields gofeed reads, far below the 10,000 past which
// encoding/json refuses a document.
const maxJSONDepth = 512

// pruneDeepJSON returns data with each object or list nested deeper than
// max replaced by null, in one pass; data itself when none is. Strings are
// skipped whole, so brackets in them do not count; a document cut inside a
// deep value loses the rest and stays malformed.
func pruneDeepJSON(data []byte, max int) []byte {
	var out []byte
	last, depth := 0, 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			i = jsonStringEnd(data, i)
		case '[', '{':
			depth++
			if depth <= max {
				continue
			}
			end := jsonValueEnd(data, i)
			out = append(append(out, data[last:i]...), "null"...)
			last, i, depth = end, end-1, depth-1
		case ']', '}':
			depth--
		}
	}
	if out == nil {
		return data
	}
	return append(out, data[last:]...)
}

// jsonStringEnd returns the index of the quote that ends the string
// starting at data[i], or len(data) when none does.
func jsonStringEnd(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return len(data)
}

// jsonValueEnd returns the index just past the bracket closing the object
// or list starting at data[i], or len(data) when none does.
func jsonValueEnd(data []byte, i int) int {
	depth := 0
	for ; i < len(data); i++ {
		switch data[i] {
		case '"':
			i = jsonStringEnd(data, i)
		case '[', '{':
			depth++
		case ']', '}':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return len(data)
}
