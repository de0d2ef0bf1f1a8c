package layout

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// Limits on a layout file, checked before it is decoded, so that a hostile
// or broken file fails at once instead of taking the machine's memory: YAML
// aliases expand exponentially ("billion laughs"), the parser recurses once
// per level of nesting, and its time grows with the square of a map's
// entries (a 1 MiB map takes seconds). Layouts are a few KiB; variables so
// that tests can lower them.
var (
	maxBytes      = 256 << 10 // bytes of a layout file
	maxDepth      = 64        // levels of nesting, as checkDepth counts them
	maxAliasNodes = 100_000   // nodes that aliases (*name) add when expanded
	maxErrors     = 20        // validation errors reported; the rest are counted
)

// checkDepth returns the line of the first token nested deeper than
// maxDepth, or 0. In block context, a level is a column deeper than those of
// the tokens before it on the stack (as indentation, or "- - x" on one
// line); in flow context, a bracket. It counts a key and its value as two
// levels, so it overcounts (a layout's "fields: {x: {column: y}}" is 6) but
// never undercounts by more than half: a sequence at its parent key's column
// is one level it misses.
func checkDepth(toks token.Tokens) int {
	var cols []int
	flow := 0
	for _, tk := range toks {
		switch tk.Type {
		case token.CommentType:
			continue
		case token.DocumentHeaderType, token.DocumentEndType:
			cols, flow = cols[:0], 0
			continue
		case token.SequenceStartType, token.MappingStartType:
			flow++
		case token.SequenceEndType, token.MappingEndType:
			if flow > 0 {
				flow--
			}
			continue
		default:
			if flow > 0 {
				continue
			}
		}
		if flow <= 1 {
			// A block token, or the bracket that opens a flow: it sits at
			// its column in the block structure.
			col := tk.Position.Column
			for len(cols) > 0 && cols[len(cols)-1] >= col {
				cols = cols[:len(cols)-1]
			}
			cols = append(cols, col)
		}
		if len(cols)+flow > maxDepth {
			return tk.Position.Line
		}
	}
	return 0
}

// aliasCounter finds how many nodes aliases add to a document once
// expanded, as the decoder would expand them, without expanding them.
type aliasCounter struct {
	anchors map[string]int64 // anchor name -> nodes of its value, expanded
	added   int64            // nodes added by the aliases so far
	line    int              // of the alias that went over maxAliasNodes
}

// size returns the nodes of n with its aliases expanded, saturating past
// maxAliasNodes so that exponential growth cannot overflow.
func (c *aliasCounter) size(n ast.Node) int64 {
	if n == nil || c.line > 0 {
		return 0
	}
	var s int64 = 1
	switch n := n.(type) {
	case *ast.DocumentNode:
		return c.size(n.Body)
	case *ast.MappingNode:
		for _, v := range n.Values {
			s += c.size(v)
		}
	case *ast.MappingValueNode:
		s = c.size(n.Key) + c.size(n.Value)
	case *ast.MappingKeyNode:
		s += c.size(n.Value)
	case *ast.SequenceNode:
		for _, v := range n.Values {
			s += c.size(v)
		}
	case *ast.TagNode:
		s += c.size(n.Value)
	case *ast.AnchorNode:
		s = c.size(n.Value)
		if n.Name != nil && n.Name.GetToken() != nil {
			c.anchors[n.Name.GetToken().Value] = s
		}
	case *ast.AliasNode:
		if n.Value != nil && n.Value.GetToken() != nil {
			s = max(s, c.anchors[n.Value.GetToken().Value])
		}
		c.added += s - 1
		if c.added > int64(maxAliasNodes) {
			c.line = n.GetToken().Position.Line
		}
	}
	return min(s, int64(maxAliasNodes)+1)
}

// checkAliases refuses a file whose aliases expand to more than
// maxAliasNodes nodes.
func checkAliases(name string, file *ast.File) error {
	c := &aliasCounter{anchors: map[string]int64{}}
	for _, doc := range file.Docs {
		c.size(doc)
		if c.line > 0 {
			return fmt.Errorf("%w: %s:%d: aliases (*name) expand to more than %d nodes, the limit for a layout; write the values out instead",
				ErrInvalid, name, c.line, maxAliasNodes)
		}
	}
	return nil
}
