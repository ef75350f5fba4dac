package policy

import (
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// Image is an image reference taken apart.
type Image struct {
	// Registry is the host the image is pulled from (docker.io when the
	// reference names none); Name the repository path as written after
	// it; Tag what follows the last ":" of the name ("" for none, which
	// means latest); Digest what follows "@" (sha256:...).
	Registry, Name, Tag, Digest string
}

// ParseImage takes an image reference apart the way Docker reads it.
func ParseImage(ref string) Image {
	var im Image
	rest := strings.TrimPrefix(ref, "docker://")
	if i := strings.Index(rest, "@"); i >= 0 {
		rest, im.Digest = rest[:i], rest[i+1:]
	}
	if i := strings.LastIndex(rest, ":"); i > strings.LastIndex(rest, "/") {
		rest, im.Tag = rest[:i], rest[i+1:]
	}
	im.Registry, im.Name = "docker.io", rest
	if first, after, ok := strings.Cut(rest, "/"); ok && (strings.ContainsAny(first, ".:") || first == "localhost") {
		im.Registry, im.Name = first, after
	}
	return im
}

// Registry is the registry an image reference pulls from.
func Registry(image string) string { return ParseImage(image).Registry }

// imageFunctions are the CEL functions imageRegistry, imageName,
// imageTag and imageDigest, each taking an image reference.
func imageFunctions() []cel.EnvOption {
	fn := func(name string, part func(Image) string) cel.EnvOption {
		return cel.Function(name, cel.Overload(name+"_string", []*cel.Type{cel.StringType}, cel.StringType,
			cel.UnaryBinding(func(v ref.Val) ref.Val {
				s, ok := v.(types.String)
				if !ok {
					return types.NewErr("%s takes a string", name)
				}
				return types.String(part(ParseImage(string(s))))
			})))
	}
	return []cel.EnvOption{
		fn("imageRegistry", func(i Image) string { return i.Registry }),
		fn("imageName", func(i Image) string { return i.Name }),
		fn("imageTag", func(i Image) string { return i.Tag }),
		fn("imageDigest", func(i Image) string { return i.Digest }),
	}
}
