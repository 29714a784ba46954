// parse.ts — raw Ethernet frame parsing and flow hashing, bounds-checked.
//
// Reads only the bytes the host supplied (`cap`), never past them: every field
// read is preceded by a length check. What it extracts:
//   - source MAC (the classification key) and destination MAC;
//   - any stack of 802.1Q / 802.1ad / 0x9100 tags (skipped, any depth);
//   - an MPLS label stack (0x8847/0x8848) followed by IPv4/IPv6 guessed from the
//     first nibble;
//   - IPv4 (options skipped, fragments carry no ports) and IPv6 with up to 8
//     extension headers (hop-by-hop 0, routing 43, destination options 60,
//     mobility 135, fragment 44, AH 51);
//   - TCP/UDP/SCTP ports.
// Only a frame too short for its Ethernet header or a VLAN tag is `malformed`;
// a truncated L3/L4 header just leaves the hash with fewer fields. The same
// rules are written out in test/model/parse.ts, the oracle this is checked against.
//
// Flow hash (u32): words are folded with mix() and finished with fmix32 (the
// MurmurHash3 finaliser, Appleby 2008):
//   l2    = fin(seed ⊕ srcMacHi16, srcMacLo32, dstMacHi16, dstMacLo32)
//   l2+3  = l2 words then srcIp[0..3], dstIp[0..3] (IPv4 as [addr,0,0,0]) when IP was parsed
//   l3+4  = srcIp[0..3], dstIp[0..3], proto, (sport << 16 | dport) when ports were parsed;
//           proto is the upper-layer protocol (for an IPv6 fragment: the fragment
//           header's next header), 0 when the IPv6 extension chain was cut or
//           longer than 8 headers;
//           frames without IP fall back to the l2 hash.
// Cost: O(header bytes), at most 8 IPv6 extension headers.

export const HASH_L2: u32 = 0;
export const HASH_L23: u32 = 1;
export const HASH_L34: u32 = 2;
export const HASH_SEED: u32 = 0x811c9dc5;

export let hashMode: u32 = HASH_L34;
export function setHashMode(m: u32): void { hashMode = m; }
/** false while no policy reads flow hashes: frames are then parsed only as far as classification needs (hash 0) */
export let hashNeeded: bool = true;
export function setHashNeeded(on: bool): void { hashNeeded = on; }

// parse results (globals: the hot path allocates nothing)
export let pSrcHi: u32 = 0; // top 16 bits of the source MAC
export let pSrcLo: u32 = 0; // low 32 bits
export let pHash: u32 = 0;

@inline export function mix(h: u32, x: u32): u32 {
  let y = (h ^ x) * 0x9e3779b1;
  return y ^ (y >>> 15);
}

@inline export function fin(h: u32): u32 {
  h ^= h >>> 16; h *= 0x85ebca6b;
  h ^= h >>> 13; h *= 0xc2b2ae35;
  return h ^ (h >>> 16);
}

@inline function be16(p: usize): u32 { return bswap<u16>(load<u16>(p)); }
@inline function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

/** Parses the frame at `p` with `cap` readable bytes. Returns false when malformed. */
export function parseFrame(p: usize, cap: u32): bool {
  if (cap < 14) return false;
  const dstHi = be16(p), dstLo = be32(p + 2);
  const srcHi = be16(p + 6), srcLo = be32(p + 8);
  pSrcHi = srcHi; pSrcLo = srcLo;
  let h2 = mix(mix(mix(mix(HASH_SEED, srcHi), srcLo), dstHi), dstLo);
  let off: u32 = 12;
  let et = be16(p + 12);
  off = 14;
  // VLAN stack of any depth; each tag needs 4 bytes (TCI + next type)
  while (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
    if (cap - off < 4) return false;
    et = be16(p + off + 2);
    off += 4;
  }
  if (!hashNeeded) { pHash = 0; return true; }
  if (hashMode == HASH_L2) { pHash = fin(h2); return true; }
  // MPLS: pop to bottom of stack, then guess the payload from its version nibble
  if (et == 0x8847 || et == 0x8848) {
    et = 0;
    while (cap - off >= 4) {
      const bos = load<u8>(p + off + 2) & 1;
      off += 4;
      if (bos) {
        if (cap > off) {
          const v = load<u8>(p + off) >> 4;
          et = v == 4 ? 0x0800 : v == 6 ? 0x86dd : 0;
        }
        break;
      }
    }
  }
  let s0: u32 = 0, s1: u32 = 0, s2: u32 = 0, s3: u32 = 0;
  let d0: u32 = 0, d1: u32 = 0, d2: u32 = 0, d3: u32 = 0;
  let proto: u32 = 0;
  let l4: u32 = 0;         // offset of the L4 header, 0 = no ports to read
  let haveIp = false;
  if (et == 0x0800) {
    if (cap - off >= 20) {
      const vihl = load<u8>(p + off);
      const ihl = (<u32>vihl & 15) << 2;
      if (ihl >= 20 && cap - off >= ihl) {
        haveIp = true;
        proto = load<u8>(p + off + 9);
        s0 = be32(p + off + 12); d0 = be32(p + off + 16);
        const frag = be16(p + off + 6);
        if ((frag & 0x3fff) == 0) l4 = off + ihl; // neither MF nor an offset
      }
    }
  } else if (et == 0x86dd) {
    if (cap - off >= 40) {
      haveIp = true;
      s0 = be32(p + off + 8); s1 = be32(p + off + 12); s2 = be32(p + off + 16); s3 = be32(p + off + 20);
      d0 = be32(p + off + 24); d1 = be32(p + off + 28); d2 = be32(p + off + 32); d3 = be32(p + off + 36);
      let nh = <u32>load<u8>(p + off + 6);
      let q = off + 40;
      let n = 0;
      l4 = q;
      let cut = false;
      while (nh == 0 || nh == 43 || nh == 60 || nh == 135 || nh == 44 || nh == 51) {
        if (n == 8) { l4 = 0; cut = true; break; }
        if (cap - q < 8) { l4 = 0; cut = true; break; }
        const next = <u32>load<u8>(p + q);
        let len: u32;
        if (nh == 44) {
          len = 8;
          if ((be16(p + q + 2) & 0xfff9) != 0) { nh = next; l4 = 0; break; } // offset or M flag
        } else if (nh == 51) {
          len = (<u32>load<u8>(p + q + 1) + 2) << 2;
        } else {
          len = (<u32>load<u8>(p + q + 1) + 1) << 3;
        }
        if (cap - q < len) { l4 = 0; cut = true; break; }
        q += len; n++;
        nh = next;
        l4 = q;
      }
      proto = cut ? 0 : nh; // an unfinished chain has no upper-layer protocol
    }
  }
  if (!haveIp) { pHash = fin(h2); return true; }
  if (hashMode == HASH_L23) {
    h2 = mix(mix(mix(mix(h2, s0), s1), s2), s3);
    h2 = mix(mix(mix(mix(h2, d0), d1), d2), d3);
    pHash = fin(h2);
    return true;
  }
  let h = mix(mix(mix(mix(HASH_SEED, s0), s1), s2), s3);
  h = mix(mix(mix(mix(h, d0), d1), d2), d3);
  h = mix(h, proto);
  if (l4 != 0 && (proto == 6 || proto == 17 || proto == 132) && cap - l4 >= 4) {
    h = mix(h, be32(p + l4));
  }
  pHash = fin(h);
  return true;
}
