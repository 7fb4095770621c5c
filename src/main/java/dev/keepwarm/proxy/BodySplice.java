package dev.keepwarm.proxy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Writes a rewritten request body from the client's bytes: the members that stay are
 * copied as they came, dropped ones are left out, extra options go inside the options
 * object and new members at the end. The body is measured first and then written into an
 * array of its exact size: a 16 MiB body is allocated and copied once.
 */
final class BodySplice {

    private final byte[] body;

    private final List<Span> members;

    private final @Nullable OptionsObject options;

    /**
     * Where an options object lies, for members to be added inside it.
     *
     * @param member the index of the options member among the body's members
     * @param close offset of the object's closing brace
     * @param empty whether the object has no members yet
     */
    record OptionsObject(int member, int close, boolean empty) {
    }

    BodySplice(byte[] body, List<Span> members, @Nullable OptionsObject options) {
        this.body = body;
        this.members = members;
        this.options = options;
    }

    /**
     * @param dropped names (compared without case) whose members are left out
     * @param extraOptions {@code "key":value} members to add to the options object (null:
     * none; ignored without an options object)
     * @param appended {@code "name":value} members to add at the end of the object
     */
    byte[] write(List<String> dropped, @Nullable String extraOptions, List<String> appended) {
        byte[] extra = extraOptions == null ? null : extraOptions.getBytes(StandardCharsets.UTF_8);
        List<byte[]> added = appended.stream().map(m -> m.getBytes(StandardCharsets.UTF_8)).toList();
        Builder size = new Builder(null); // a first pass only counts
        write(size, dropped, extra, added);
        Builder out = new Builder(new byte[size.size]);
        write(out, dropped, extra, added);
        return out.bytes;
    }

    private void write(Builder out, List<String> dropped, byte @Nullable [] extraOptions, List<byte[]> appended) {
        out.write('{');
        boolean first = true;
        for (int i = 0; i < members.size(); i++) {
            Span member = members.get(i);
            if (droppedName(member.name(), dropped)) {
                continue;
            }
            if (!first) {
                out.write(',');
            }
            first = false;
            if (options != null && i == options.member() && extraOptions != null) {
                out.write(body, member.start(), options.close() - member.start());
                if (!options.empty()) {
                    out.write(',');
                }
                out.write(extraOptions, 0, extraOptions.length);
                out.write(body, options.close(), member.end() - options.close());
            }
            else {
                out.write(body, member.start(), member.length());
            }
        }
        for (byte[] member : appended) {
            if (!first) {
                out.write(',');
            }
            first = false;
            out.write(member, 0, member.length);
        }
        out.write('}');
    }

    private static boolean droppedName(String name, List<String> dropped) {
        for (String d : dropped) {
            if (d.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The rewritten body: written into an array of its exact size, or (without one) only
     * counted.
     */
    private static final class Builder {

        private final byte @Nullable [] bytes;

        private int size;

        Builder(byte @Nullable [] bytes) {
            this.bytes = bytes;
        }

        void write(int b) {
            if (bytes != null) {
                bytes[size] = (byte) b;
            }
            size++;
        }

        void write(byte[] source, int from, int length) {
            if (bytes != null) {
                System.arraycopy(source, from, bytes, size, length);
            }
            size += length;
        }

    }

}
