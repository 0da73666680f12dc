// An optional value kept on the heap and shared by copies until one of them
// changes it (copy on write). For a large part of a record that is usually
// absent or unchanged: the record stays small, and copying it copies a
// pointer. A conversation's open chat is one: every step copies the
// conversation, and few change its chat.
//
// Not for values several threads change: edit() copies unless this is the
// only holder, which is safe only where no other thread can reach this
// holder (an actor's work in progress, before it is published).
#pragma once

#include <memory>
#include <utility>

namespace switchboard {

template <class T>
class shared_value {
public:
    shared_value() = default;
    shared_value(T v) : p_(std::make_shared<T>(std::move(v))) {}

    shared_value& operator=(T v) {
        p_ = std::make_shared<T>(std::move(v));
        return *this;
    }
    void reset() { p_.reset(); }

    explicit operator bool() const { return p_ != nullptr; }
    const T& operator*() const { return *p_; }
    const T* operator->() const { return p_.get(); }

    // The value, to change: copied first if another holder shares it.
    // Requires a value (check first).
    T& edit() {
        if (p_.use_count() > 1) p_ = std::make_shared<T>(*p_);
        return *p_;
    }

private:
    std::shared_ptr<T> p_;
};

}  // namespace switchboard
