// SPDX-License-Identifier: GPL-2.0
// as_cxx - a C++ program (iostream, exceptions, RTTI, a static
// constructor) run with and without libmseal-autoseal.so.
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

struct Registry {
	std::map<std::string, int> m;
	Registry() { m["ctor"] = 1; }
};
static Registry registry;

struct Base {
	virtual ~Base() {}
	virtual int f() const = 0;
};
struct Derived : Base {
	int f() const override { return 42; }
};

static int thrower(int n)
{
	if (n > 2)
		throw std::runtime_error("n=" + std::to_string(n));
	return n;
}

int main()
{
	std::vector<int> caught;
	Derived d;
	const Base &b = d;

	for (int i = 0; i < 5; i++) {
		try {
			thrower(i);
		} catch (const std::exception &e) {
			caught.push_back(i);
			std::cout << "caught " << e.what() << '\n';
		}
	}
	std::cout << "virtual " << b.f() << " rtti "
		  << (dynamic_cast<const Derived *>(&b) ? "ok" : "no")
		  << " ctor " << registry.m["ctor"] << " caught " << caught.size() << std::endl;
	return 7;
}
