package io.multikernel.replication;

/**
 * The result of an operator forcing the decision of a transaction in doubt.
 *
 * @param applied true when this core committed or aborted the transaction as told.
 * @param message one sentence for the operator.
 */
public record OperatorDecision(boolean applied, String message)
{
}
