using Fast.Core.Collections;
using Fast.Testing;
using Xunit;

namespace Fast.Core.Tests.Collections;

public class BoundedQueueTests
{
    [Fact]
    public void Items_come_out_in_order_and_a_full_queue_refuses_more()
    {
        BoundedQueue<int> queue = new(4);
        for (int i = 0; i < 4; i++) Assert.True(queue.TryEnqueue(i));
        Assert.False(queue.TryEnqueue(99));
        Assert.Equal(4, queue.Count);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(queue.TryDequeue(out int item));
            Assert.Equal(i, item);
        }
        Assert.False(queue.TryDequeue(out _));
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void Capacity_rounds_up_to_a_power_of_two()
    {
        Assert.Equal(8, new BoundedQueue<long>(5).Capacity);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoundedQueue<long>(1));
    }

    [Fact]
    public void Many_producers_and_consumers_lose_and_duplicate_nothing()
    {
        const int producers = 3, consumers = 3, perProducer = 50_000;
        BoundedQueue<long> queue = new(1024);
        long sum = 0, received = 0;
        var threads = new Thread[producers + consumers];
        for (int p = 0; p < producers; p++)
        {
            int id = p;
            threads[p] = new Thread(() =>
            {
                for (long i = 0; i < perProducer; i++)
                {
                    long value = id * (long)perProducer + i + 1;
                    while (!queue.TryEnqueue(value)) Thread.Yield();
                }
            });
        }
        for (int c = 0; c < consumers; c++)
        {
            threads[producers + c] = new Thread(() =>
            {
                while (Interlocked.Read(ref received) < producers * (long)perProducer)
                {
                    if (queue.TryDequeue(out long value))
                    {
                        Interlocked.Add(ref sum, value);
                        Interlocked.Increment(ref received);
                    }
                    else
                    {
                        Thread.Yield();
                    }
                }
            });
        }
        foreach (Thread t in threads) t.Start();
        foreach (Thread t in threads) Assert.True(t.Join(TimeSpan.FromSeconds(60)));
        long n = producers * (long)perProducer;
        Assert.Equal(n * (n + 1) / 2, sum);
    }

    [Fact]
    public void Enqueue_and_dequeue_of_structs_allocate_nothing()
    {
        BoundedQueue<(long, int)> queue = new(64);
        long allocated = Allocations.Measure(10_000, () =>
        {
            queue.TryEnqueue((1, 2));
            queue.TryDequeue(out _);
        });
        Assert.Equal(0, allocated);
    }
}
