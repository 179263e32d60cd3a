package dev.gradwatch.events;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class CommandSignerTest {

    private static ControlCommand command(double value) {
        return new ControlCommand(1, "c-1", "run", "w0", ControlCommand.Type.SET_CLIP_NORM, value, "exploding", 7,
                1000, 61_000, null, null);
    }

    @Test
    void aSignedCommandVerifiesAndSurvivesTheCodec() throws Exception {
        CommandSigner signer = CommandSigner.parse(CommandSigner.randomKeySpec("k1"));
        ControlCommand signed = signer.sign(command(1.5));
        assertEquals("k1", signed.keyId());
        assertNotNull(signed.signature());
        assertEquals(CommandSigner.Verdict.VALID, signer.verify(signed));
        ControlCommand back = EventCodec.decode(EventCodec.encode(signed), ControlCommand.class);
        assertEquals(CommandSigner.Verdict.VALID, signer.verify(back));
    }

    @Test
    void everyChangedFieldBreaksTheSignature() {
        CommandSigner signer = CommandSigner.parse(CommandSigner.randomKeySpec("k1"));
        ControlCommand s = signer.sign(command(1.5));
        ControlCommand[] tampered = {
                new ControlCommand(1, s.commandId(), s.runId(), s.workerId(), s.type(), 100.0, s.reason(), s.seq(),
                        s.issuedAtMs(), s.expiresAtMs(), s.keyId(), s.signature()),
                new ControlCommand(1, s.commandId(), s.runId(), "*", s.type(), s.value(), s.reason(), s.seq(),
                        s.issuedAtMs(), s.expiresAtMs(), s.keyId(), s.signature()),
                new ControlCommand(1, s.commandId(), s.runId(), s.workerId(), ControlCommand.Type.STOP, s.value(),
                        s.reason(), s.seq(), s.issuedAtMs(), s.expiresAtMs(), s.keyId(), s.signature()),
                new ControlCommand(1, s.commandId(), s.runId(), s.workerId(), s.type(), s.value(), s.reason(), s.seq() + 1,
                        s.issuedAtMs(), s.expiresAtMs(), s.keyId(), s.signature()),
                new ControlCommand(1, s.commandId(), s.runId(), s.workerId(), s.type(), s.value(), s.reason(), s.seq(),
                        s.issuedAtMs(), s.expiresAtMs() + 3_600_000, s.keyId(), s.signature()),
                new ControlCommand(1, s.commandId(), s.runId(), s.workerId(), s.type(), s.value(), s.reason(), s.seq(),
                        s.issuedAtMs(), s.expiresAtMs(), s.keyId(), "AAAA"),
        };
        for (ControlCommand t : tampered) assertEquals(CommandSigner.Verdict.FORGED, signer.verify(t), t.toString());
    }

    @Test
    void unsignedAndUnknownKeysAreTold() {
        CommandSigner k1 = CommandSigner.parse(CommandSigner.randomKeySpec("k1"));
        CommandSigner other = CommandSigner.parse(CommandSigner.randomKeySpec("k2"));
        assertEquals(CommandSigner.Verdict.UNSIGNED, k1.verify(command(1.5)));
        assertEquals(CommandSigner.Verdict.UNKNOWN_KEY, k1.verify(other.sign(command(1.5))));
        // same key id, different secret: forged
        CommandSigner sameIdOtherSecret = CommandSigner.parse(CommandSigner.randomKeySpec("k1"));
        assertEquals(CommandSigner.Verdict.FORGED, k1.verify(sameIdOtherSecret.sign(command(1.5))));
    }

    @Test
    void rotatedKeysStillVerifyOldCommands() {
        String old = CommandSigner.randomKeySpec("old");
        String fresh = CommandSigner.randomKeySpec("new");
        ControlCommand byOld = CommandSigner.parse(old).sign(command(2));
        CommandSigner rotated = CommandSigner.parse(fresh + "," + old);
        assertEquals(CommandSigner.Verdict.VALID, rotated.verify(byOld));
        assertEquals("new", rotated.sign(command(2)).keyId());
    }

    @Test
    void badKeySettingsSayWhatIsExpectedWithoutPrintingTheSecret() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandSigner.parse("k1"));
        assertTrue(e.getMessage().contains("keyId:base64key"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CommandSigner.parse("k1:c2hvcnQ="));
        assertTrue(e.getMessage().contains("at least 32 bytes"), e.getMessage());
        assertFalse(e.getMessage().contains("c2hvcnQ="), "the secret leaked: " + e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CommandSigner.parse("k1:!!!notbase64"));
        assertTrue(e.getMessage().contains("not valid base64"), e.getMessage());
        assertFalse(e.getMessage().contains("notbase64"), e.getMessage());
    }
}
