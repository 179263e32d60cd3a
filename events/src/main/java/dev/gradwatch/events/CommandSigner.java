package dev.gradwatch.events;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs and verifies {@link ControlCommand}s with HMAC-SHA256 (RFC 2104) under named keys, so a
 * trainer obeys only the monitor: a command is signed over every field but the signature itself,
 * including its key id, sequence number and expiry.
 */
public final class CommandSigner {

    private static final String ALGORITHM = "HmacSHA256";
    /** Keys shorter than this are refused: HMAC-SHA256 wants at least its output size. */
    public static final int MIN_KEY_BYTES = 32;

    private final Map<String, byte[]> keys;

    /** Why a command was accepted or refused. */
    public enum Verdict { VALID, UNSIGNED, UNKNOWN_KEY, FORGED }

    private CommandSigner(Map<String, byte[]> keys) {
        this.keys = keys;
    }

    /**
     * Parses {@code keyId:base64key[,keyId:base64key...]}, the form of the {@code command.keys}
     * setting; the first key signs, all of them verify (so keys can be rotated).
     */
    public static CommandSigner parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("command keys must be 'keyId:base64key[,keyId:base64key...]', got nothing");
        }
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int colon = part.indexOf(':');
            if (colon <= 0 || colon == part.length() - 1) {
                throw new IllegalArgumentException("command key '" + redact(part) + "' must be 'keyId:base64key'");
            }
            String id = part.substring(0, colon).trim();
            byte[] key;
            try {
                key = Base64.getDecoder().decode(part.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("command key '" + id + "' is not valid base64");
            }
            if (key.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("command key '" + id + "' must have at least " + MIN_KEY_BYTES
                        + " bytes, got " + key.length);
            }
            if (keys.put(id, key) != null) throw new IllegalArgumentException("command key id '" + id + "' given twice");
        }
        return new CommandSigner(keys);
    }

    /** A fresh random key in the {@link #parse} form, e.g. for the single-machine demo. */
    public static String randomKeySpec(String keyId) {
        byte[] key = new byte[MIN_KEY_BYTES];
        new java.security.SecureRandom().nextBytes(key);
        return keyId + ":" + Base64.getEncoder().encodeToString(key);
    }

    /** The command with the signing key's id and its signature set. */
    public ControlCommand sign(ControlCommand c) {
        Map.Entry<String, byte[]> signing = keys.entrySet().iterator().next();
        ControlCommand withKey = new ControlCommand(c.schemaVersion(), c.commandId(), c.runId(), c.workerId(), c.type(),
                c.value(), c.reason(), c.seq(), c.issuedAtMs(), c.expiresAtMs(), signing.getKey(), null);
        String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(mac(signing.getValue(), withKey));
        return new ControlCommand(c.schemaVersion(), c.commandId(), c.runId(), c.workerId(), c.type(), c.value(),
                c.reason(), c.seq(), c.issuedAtMs(), c.expiresAtMs(), signing.getKey(), sig);
    }

    public Verdict verify(ControlCommand c) {
        if (c.signature() == null || c.keyId() == null) return Verdict.UNSIGNED;
        byte[] key = keys.get(c.keyId());
        if (key == null) return Verdict.UNKNOWN_KEY;
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(c.signature());
        } catch (IllegalArgumentException e) {
            return Verdict.FORGED;
        }
        return MessageDigest.isEqual(mac(key, c), given) ? Verdict.VALID : Verdict.FORGED;
    }

    /** HMAC over a canonical text of every field but the signature, each length-prefixed. */
    private static byte[] mac(byte[] key, ControlCommand c) {
        StringBuilder sb = new StringBuilder();
        for (Object f : new Object[]{c.schemaVersion(), c.commandId(), c.runId(), c.workerId(), c.type(),
                Double.doubleToLongBits(c.value()), c.reason(), c.seq(), c.issuedAtMs(), c.expiresAtMs(), c.keyId()}) {
            String s = String.valueOf(f);
            sb.append(s.length()).append(':').append(s).append(';');
        }
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac.doFinal(sb.toString().getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    private static String redact(String part) {
        int colon = part.indexOf(':');
        return colon < 0 ? "…" : part.substring(0, colon) + ":…";
    }
}
