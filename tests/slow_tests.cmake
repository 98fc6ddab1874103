# The unit tests (tests/daemon, tests/plugins) that take more than about 10 s
# on a 2-core machine, by test binary, as gtest filter patterns ('*' allowed):
# they are labelled `slow` instead of `unit`, so that `ctest -L unit` stays
# under a minute.
set(slow_tests_test_publish
    # 100,000 alerts through ZeroMQ to a stalled subscriber: ~30 s
    PublisherTest.SlowSubscriberUnderLoadCostsDropsNotThroughput
    # waits for the publisher's real heartbeats: ~11 s
    PublisherTest.HeartbeatCarriesTheLastSeqWhenIdle)
set(slow_tests_test_rules
    # a restart at every step of a day of mentions: ~14 s and ~11 s
    RuleSetRestartTest.ARestartAnywhereContinuesBaselinesWithoutDuplicates
    RuleSetRestartTest.StateSavedAsChangesStaysSmallAndRestoresExactly)
