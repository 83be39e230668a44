#!/usr/bin/env bash
# Runs the Dockerfile's steps on this host, where no base image can be pulled,
# and assembles the image's file tree.
#
#   .ci/image-steps.sh OUT                 the tree at OUT/rootfs, the image's
#                                          ENV at OUT/image.env
#   .ci/image-steps.sh OUT --podman TAG    the same, then `podman build` of an
#                                          image FROM scratch holding that tree
#                                          with the final stage's metadata
#
# It does not repeat the Dockerfile: it reads it. Each build stage (npm,
# build) gets a folder, OUT/stage-NAME, standing for its WORKDIR; COPY from
# the context copies the sources (the files git knows, less .dockerignore)
# and each RUN line runs there with bash, in the Dockerfile's order. The final
# stage's COPY --from=NAME lines fill OUT/rootfs (with their --chown), and its
# ENV lines are written to OUT/image.env.
#
# What differs from a real build, and only this: the RUN steps use this
# host's go, node, npm and make instead of the base images' (the versions are
# printed), and the runtime base (distroless/static) is not there; with
# --podman, the scratch image gets this host's CA certificates in its place.
#
# Needs: bash, git, go, node, npm, make; and podman for --podman. Run as root
# for the --chown lines (otherwise they are skipped with a note).
set -euo pipefail

usage() { echo "usage: $0 OUT [--podman TAG]" >&2; exit 2; }
[[ $# -eq 1 || ($# -eq 3 && $2 == --podman) ]] || usage
out=$1
tag=${3:-}
root=$(cd "$(dirname "$0")/.." && pwd)
dockerfile=$root/Dockerfile

log() { echo "image-steps: $*" >&2; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -rf "$out/rootfs" "$out/layers" "$out"/stage-* "$out/image.env" "$out/Containerfile" "$out/context.list"
mkdir -p "$out/rootfs"
log "host tools: $(go version), node $(node --version), npm $(npm --version)"

# instructions prints the Dockerfile one instruction a line: comments and
# blank lines dropped, backslash continuations joined.
instructions() {
	awk '
		/^[[:space:]]*#/ && cont == "" { next }
		/^[[:space:]]*$/ && cont == "" { next }
		{
			line = $0
			if (line ~ /\\[[:space:]]*$/) { sub(/\\[[:space:]]*$/, "", line); cont = cont line; next }
			print cont line; cont = ""
		}
	' "$dockerfile"
}

# context_files lists the build context: the files git tracks or would track,
# less what .dockerignore excludes (its patterns are matched as paths from the
# context's root, a pattern without a slash also against each base name).
context_files() {
	local -a pats=()
	local p
	while IFS= read -r p; do
		p=${p%%#*}; p=${p%"${p##*[![:space:]]}"}
		[[ -n $p ]] && pats+=("${p#/}")
	done <"$root/.dockerignore"
	local f skip
	while IFS= read -r f; do
		[[ -e $root/$f ]] || continue
		skip=
		for p in "${pats[@]}"; do
			# shellcheck disable=SC2053 # the patterns are globs
			if [[ $f == $p || $f == $p/* || ($p != */* && ${f##*/} == $p) ]]; then skip=1; break; fi
		done
		[[ -z $skip ]] && echo "$f"
	done < <(cd "$root" && git ls-files -co --exclude-standard)
}

# copy_context SRC DEST copies context path SRC ("." for all) to DEST, a path
# inside the current stage folder; DEST ending in / is a folder.
copy_context() {
	local src=${1%/} dest=$2 f rel
	if [[ $src == . ]]; then
		mkdir -p "$dest"
		(cd "$root" && xargs -d '\n' cp --parents -a -t "$dest" --) <"$out/context.list"
		return
	fi
	if [[ -d $root/$src ]]; then
		mkdir -p "$dest"
		while IFS= read -r f; do
			[[ $f == "$src"/* ]] || continue
			rel=${f#"$src"/}
			mkdir -p "$dest/$(dirname "$rel")"
			cp -a "$root/$f" "$dest/$rel"
		done <"$out/context.list"
	else
		grep -qx -- "$src" "$out/context.list" || { log "COPY $src: not in the context"; exit 1; }
		if [[ $dest == */ ]]; then mkdir -p "$dest"; fi
		cp -a "$root/$src" "$dest"
	fi
}

context_files >"$out/context.list"
# place PATH SRC TARGET CHOWN copies PATH (the folder's contents when SRC
# ends in /) to TARGET (a folder when it ends in /), chowning what it wrote.
place() {
	local path=$1 src=$2 target=$3 chown=$4 written=()
	if [[ $src == */ ]]; then
		mkdir -p "$target"
		cp -a "$path". "$target"
		while IFS= read -r p; do written+=("$target/$p"); done < <(cd "$path" && find . -mindepth 1)
	else
		if [[ $target == */ ]]; then mkdir -p "$target"; target=$target${path##*/}; else mkdir -p "$(dirname "$target")"; fi
		cp -a "$path" "$target"
		written=("$target")
	fi
	if [[ -n $chown ]]; then
		if [[ $(id -u) -eq 0 ]]; then chown -hR "$chown" "${written[@]}"; else log "not root: --chown=$chown skipped"; fi
	fi
}

declare -A workdir=() args=()
# base NAME prints the image a FROM names, its ${ARG} replaced by the default.
base() {
	local b=$1 k
	for k in "${!args[@]}"; do b=${b//"\${$k}"/${args[$k]}}; done
	echo "$b"
}
finalwd=/ layer=0 copies=() # stage name -> its WORKDIR
stage= stagedir= final=
: >"$out/image.env"
meta=()
while IFS= read -r line; do
	read -r op rest <<<"$line"
	op=${op^^}
	case $op in
	ARG) [[ $rest == *=* ]] && args[${rest%%=*}]=${rest#*=} ;;
	FROM)
		if [[ $rest =~ [[:space:]][Aa][Ss][[:space:]]+([A-Za-z0-9_-]+)$ ]]; then
			stage=${BASH_REMATCH[1]} final=
			stagedir=$out/stage-$stage
			mkdir -p "$stagedir"
			log "stage $stage, standing for $(base "${rest%% *}")"
		else
			stage= final=1 stagedir=$out/rootfs
			log "final stage, standing for $(base "${rest%% *}"): into $stagedir"
		fi
		;;
	WORKDIR)
		if [[ -n $final ]]; then
			mkdir -p "$stagedir$rest"
			finalwd=$rest
			meta+=("$line")
		else
			workdir[$stage]=$rest
		fi
		;;
	COPY)
		read -ra words <<<"$rest"
		from= chown=
		while [[ ${words[0]} == --* ]]; do
			case ${words[0]} in
			--from=*) from=${words[0]#--from=} ;;
			--chown=*) chown=${words[0]#--chown=} ;;
			*) log "COPY: unknown option ${words[0]}"; exit 1 ;;
			esac
			words=("${words[@]:1}")
		done
		dest=${words[-1]}
		unset 'words[-1]'
		for src in "${words[@]}"; do
			if [[ -n $from ]]; then
				# An absolute path inside stage $from: its WORKDIR is its folder.
				wd=${workdir[$from]:?COPY --from=$from: unknown stage}
				[[ $src == "$wd"/* ]] || { log "COPY --from=$from $src: outside its WORKDIR $wd"; exit 1; }
				path=$out/stage-$from/${src#"$wd"/}
				[[ $dest == /* ]] || dest=$finalwd/$dest
				# Into the tree, and into a layer folder of its own that
				# the --podman Containerfile copies with the same --chown.
				place "$path" "$src" "$stagedir$dest" "$chown"
				layer=$((layer + 1))
				place "$path" "$src" "$out/layers/$layer$dest" ""
				copies+=("COPY ${chown:+--chown=$chown }layers/$layer/ /")
			else
				[[ -z $final ]] || { log "COPY from the context in the final stage is not handled"; exit 1; }
				copy_context "$src" "$stagedir/$dest"
			fi
		done
		;;
	RUN)
		[[ -z $final ]] || { log "RUN in the final stage is not handled (distroless has no shell)"; exit 1; }
		log "stage $stage: RUN $rest"
		(cd "$stagedir" && bash -euo pipefail -c "$rest")
		;;
	ENV)
		# KEY=VALUE pairs, as this Dockerfile writes them (no quotes, no spaces in values).
		for kv in $rest; do echo "$kv" >>"$out/image.env"; done
		meta+=("$line")
		;;
	USER | EXPOSE | VOLUME | HEALTHCHECK | ENTRYPOINT | CMD | LABEL)
		[[ -n $final ]] && meta+=("$line")
		;;
	*) log "unknown instruction $op"; exit 1 ;;
	esac
done < <(instructions)

log "tree ready: $out/rootfs ($(du -sh "$out/rootfs" | cut -f1)); ENV in $out/image.env"

if [[ -n $tag ]]; then
	# What the distroless base brings that fetch needs: CA certificates.
	rm -rf "$out/certs"
	mkdir -p "$out/certs/etc/ssl/certs"
	cp /etc/ssl/certs/ca-certificates.crt "$out/certs/etc/ssl/certs/"
	{
		echo "# Made by .ci/image-steps.sh from the Dockerfile's final stage, on scratch."
		echo "FROM scratch"
		echo "COPY certs/ /"
		printf '%s\n' "${copies[@]}" "${meta[@]}"
	} >"$out/Containerfile"
	log "podman build -t $tag (FROM scratch)"
	podman build --format docker --network none -t "$tag" -f "$out/Containerfile" "$out" >&2
	echo "$tag"
fi
