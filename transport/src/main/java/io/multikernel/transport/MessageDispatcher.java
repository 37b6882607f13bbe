package io.multikernel.transport;

/**
 * The dispatch table: template id to {@link MessageHandler}. Together with the generated codecs this
 * is the project's Flounder: typed stubs per message over one transport.
 */
public final class MessageDispatcher
{
    private final MessageHandler[] handlers = new MessageHandler[UrpcMetrics.TEMPLATE_ID_MAX + 1];
    private final int[] blockLengths = new int[UrpcMetrics.TEMPLATE_ID_MAX + 1];
    private final UrpcMetrics metrics;

    public MessageDispatcher(final UrpcMetrics metrics)
    {
        this.metrics = metrics;
    }

    /**
     * @param templateId of the message.
     * @param typeName   short lower-case name for metrics, such as {@code ping}.
     * @param blockLength of the template's root block at this build's schema version, bytes.
     * @param handler    for every inbound message of that template.
     * @return this for chaining.
     * @throws IllegalStateException if the template already has a handler.
     */
    public MessageDispatcher register(
        final int templateId, final String typeName, final int blockLength, final MessageHandler handler)
    {
        UrpcMetrics.checkTemplateId(templateId);
        if (null != handlers[templateId])
        {
            throw new IllegalStateException("templateId=" + templateId + " (" + typeName + ") already has a handler");
        }
        if (blockLength < io.multikernel.schema.EnvelopeDecoder.ENCODED_LENGTH)
        {
            throw new IllegalArgumentException("blockLength=" + blockLength + " of templateId=" + templateId +
                " cannot hold the envelope");
        }
        handlers[templateId] = handler;
        blockLengths[templateId] = blockLength;
        metrics.nameType(templateId, typeName);
        return this;
    }

    /**
     * Register a handler built on a generated decoder; the block length comes from the decoder.
     *
     * @param typeName short lower-case name for metrics.
     * @param handler  for every inbound message of the decoder's template.
     * @return this for chaining.
     */
    public MessageDispatcher register(final String typeName, final DecodingHandler<?> handler)
    {
        return register(handler.templateId(), typeName, handler.blockLength(), handler);
    }

    /**
     * @param templateId of a registered template.
     * @return its root block length at this build's schema version, or 0 if unregistered.
     */
    public int blockLength(final int templateId)
    {
        return templateId < 0 || templateId >= blockLengths.length ? 0 : blockLengths[templateId];
    }

    /**
     * @param templateId to look up.
     * @return the handler, or {@code null} if none is registered or the id is out of range.
     */
    public MessageHandler handler(final int templateId)
    {
        return templateId < 0 || templateId >= handlers.length ? null : handlers[templateId];
    }
}
